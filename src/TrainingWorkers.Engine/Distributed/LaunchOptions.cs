namespace TrainingWorkers.Engine.Distributed;

/// <summary>What the launcher starts: N ranks of a command on this node, as part of a group of Nodes x N.</summary>
public sealed record LaunchOptions
{
    /// <summary>The rank program (e.g. dotnet) and its arguments; every rank gets the same.</summary>
    public required string Executable { get; init; }
    public required IReadOnlyList<string> Arguments { get; init; }
    public required int ProcessesPerNode { get; init; }
    public int Nodes { get; init; } = 1;
    public int NodeRank { get; init; }
    public string MasterAddress { get; init; } = "127.0.0.1";
    public int MasterPort { get; init; } = 29500;
    /// <summary>How many times the whole group is restarted from the last checkpoint after a failure.</summary>
    public int MaxRestarts { get; init; }
    /// <summary>The rendezvous and collective timeout each rank gets.</summary>
    public TimeSpan CollectiveTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>A rank that sends no event for this long is taken as hung, and the group is stopped.</summary>
    public TimeSpan ProgressTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Arguments added on a restart, to resume from the last checkpoint (e.g. --resume).</summary>
    public IReadOnlyList<string> ResumeArguments { get; init; } = [];
    /// <summary>Environment variables every rank gets on top of the launcher's own (e.g. TW_MODEL_ALLOW).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public int WorldSize => ProcessesPerNode * Nodes;

    /// <summary>A TCP port free on loopback now, for a rank group's TCPStore (torchrun's <c>localhost:0</c> endpoint).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every problem with the options (empty when they are fine), given the node's GPUs when ranks run on CUDA.</summary>
    public IReadOnlyList<string> Validate(bool onCuda, int cudaDevices)
    {
        var errors = new List<string>();
        if (ProcessesPerNode < 1) errors.Add($"--nproc-per-node must be >= 1, got {ProcessesPerNode}");
        if (Nodes < 1) errors.Add($"--nnodes must be >= 1, got {Nodes}");
        if (NodeRank < 0 || NodeRank >= Nodes) errors.Add($"--node-rank must be in 0..{Nodes - 1}, got {NodeRank}");
        if (MasterPort is < 1 or > 65535) errors.Add($"--master-port must be in 1..65535, got {MasterPort}");
        if (string.IsNullOrWhiteSpace(MasterAddress)) errors.Add("--master-addr must not be empty");
        if (MaxRestarts < 0) errors.Add($"--max-restarts must be >= 0, got {MaxRestarts}");
        if (ProgressTimeout <= CollectiveTimeout) errors.Add($"the progress timeout ({ProgressTimeout.TotalSeconds} s) must exceed the collective timeout ({CollectiveTimeout.TotalSeconds} s)");
        if (onCuda && ProcessesPerNode > cudaDevices)
        {
            errors.Add($"--nproc-per-node {ProcessesPerNode} asks for one GPU per rank, but this node has {cudaDevices} GPU(s)");
        }

        return errors;
    }
}
