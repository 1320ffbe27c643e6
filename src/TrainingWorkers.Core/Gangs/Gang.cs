namespace TrainingWorkers.Core.Gangs;

/// <summary>
/// The nodes of one attempt of a multi-node job, as node 0 publishes them in the job's record in the claim's own write:
/// the rendezvous (rank 0's address and port, the ranks per node) and which worker is which node. Every node reads it
/// from the job store, as AWS Batch hands its child nodes the main node's address.
/// </summary>
public sealed record Gang
{
    /// <summary>The fencing token of node 0's claim: every node's lease and reservation carries it.</summary>
    public required long FencingToken { get; init; }

    /// <summary>The workers, by node rank (node 0 first).</summary>
    public required IReadOnlyList<string> Members { get; init; }

    /// <summary>Ranks on each node (torchrun's <c>--nproc-per-node</c>).</summary>
    public required int ProcessesPerNode { get; init; }

    /// <summary>Where rank 0's TCPStore listens (torchrun's <c>MASTER_ADDR</c>, <c>MASTER_PORT</c>).</summary>
    public required string MasterAddress { get; init; }

    public required int MasterPort { get; init; }

    public required DateTimeOffset FormedAt { get; init; }

    /// <summary>The job has a durable checkpoint to resume from: every rank starts with <c>--resume</c> (rank 0 reads and broadcasts it).</summary>
    public bool Resume { get; init; }

    public int Nodes => Members.Count;

    public int WorldSize => Nodes * ProcessesPerNode;

    /// <summary>The node rank of <paramref name="workerId"/>, or -1.</summary>
    public int NodeOf(string workerId)
    {
        for (var i = 0; i < Members.Count; i++)
        {
            if (Members[i] == workerId) return i;
        }

        return -1;
    }
}
