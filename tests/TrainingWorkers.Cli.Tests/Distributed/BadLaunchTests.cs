using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Cli.Tests.Distributed;

/// <summary>Launches that cannot work end with a clear error in bounded time and leave no process behind.</summary>
// Rank processes are CPU-heavy: these tests run one at a time (on a 2-core machine).
[Collection("rank processes")]
public sealed class BadLaunchTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-badlaunch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSpec(string device = "cpu")
    {
        var path = Path.Combine(_dir, "job.json");
        File.WriteAllText(path, $$"""
            { "apiVersion": "trainingworkers/v1", "name": "bad",
              "model": { "type": "mlp", "hidden": [16] },
              "data": { "train": "fashion-mnist", "train_limit": 512, "validation_split": 0, "use_test_set": false },
              "training": { "epochs": 1, "threads": 1, "device": "{{device}}" } }
            """);
        return path;
    }

    private async Task<(int Code, JsonElement Result, string Stderr, TimeSpan Took)> LaunchAsync(params string[] extra)
    {
        var clock = Stopwatch.StartNew();
        string[] args = ["run", WriteSpec(), "--output", "json", "--max-restarts", "0", "--collective-timeout", "5", "--progress-timeout", "30", .. extra];
        var (code, stdout, stderr) = await TwProcess.RunAsync(_dir, Bound, args);
        var took = clock.Elapsed;
        Assert.True(await RankProcesses.NoneLeftAsync(_dir, TimeSpan.FromSeconds(5)), "a rank process outlived its launcher");
        return (code, JsonDocument.Parse(stdout).RootElement.Clone(), stderr, took);
    }

    [Fact]
    public async Task Launch_PortAlreadyInUse_FailsNamingThePort()
    {
        using var squatter = new TcpListener(IPAddress.Any, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var (code, result, stderr, _) = await LaunchAsync("--nproc-per-node", "2", "--master-port", port.ToString());

        Assert.True(code == 3, stderr);
        var error = result.GetProperty("error");
        // The launch's address, port or peers, not the job: a crash another attempt may not repeat.
        Assert.Equal("crashed", error.GetProperty("error").GetString());
        Assert.StartsWith("rendezvous failed: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains($"{port} (errno: 98 - Address already in use)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_UnreachableMasterAddress_FailsAfterTheTimeout()
    {
        // 192.0.2.0/24 is TEST-NET-1: never routed.
        var (code, result, stderr, took) = await LaunchAsync("--nproc-per-node", "2", "--master-addr", "192.0.2.1", "--master-port", LaunchOptions.FreePort().ToString());

        Assert.True(code == 3, stderr);
        var error = result.GetProperty("error");
        // The launch's address, port or peers, not the job: a crash another attempt may not repeat.
        Assert.Equal("crashed", error.GetProperty("error").GetString());
        Assert.StartsWith("rendezvous failed: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("192.0.2.1", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(took < Bound, $"took {took}");
    }

    [Fact]
    public async Task Launch_RankThatNeverJoins_FailsAfterTheTimeout()
    {
        // Two nodes are announced, only node 0 is started.
        var (code, result, stderr, _) = await LaunchAsync("--nproc-per-node", "1", "--nnodes", "2", "--node-rank", "0", "--master-port", LaunchOptions.FreePort().ToString());

        Assert.True(code == 3, stderr);
        var error = result.GetProperty("error");
        Assert.Equal(0, error.GetProperty("rank").GetInt32());
        // The launch's address, port or peers, not the job: a crash another attempt may not repeat.
        Assert.Equal("crashed", error.GetProperty("error").GetString());
        Assert.StartsWith("rendezvous failed: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("timeout 5 s", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_MoreRanksThanGpus_FailsBeforeStartingAny()
    {
        // On a CPU machine 0 GPUs; on a GPU machine one more rank than it has.
        var gpus = TrainingWorkers.Engine.Torch.CudaDeviceCount;
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = await TwProcess.RunAsync(_dir, Bound, "run", WriteSpec("cuda"), "--output", "json", "--nproc-per-node", (gpus + 1).ToString());

        Assert.True(code == 2, stderr);
        using var result = JsonDocument.Parse(stdout);
        Assert.Equal("invalid_input", result.RootElement.GetProperty("error").GetString());
        var message = result.RootElement.GetProperty("message").GetString();
        if (gpus == 0)
        {
            // No GPU at all: the spec's device is what cannot be had.
            Assert.Equal("training.device", result.RootElement.GetProperty("field").GetString());
            Assert.Contains("is cuda, but libtorch sees no GPU on this machine", message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"--nproc-per-node {gpus + 1} asks for one GPU per rank, but this node has {gpus} GPU(s)", message, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")), "nothing should have run");
        Assert.True(await RankProcesses.NoneLeftAsync(_dir, TimeSpan.FromSeconds(5)));
    }
}
