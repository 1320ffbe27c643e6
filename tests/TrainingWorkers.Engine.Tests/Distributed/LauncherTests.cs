using System.Diagnostics;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Engine.Tests.Distributed;

/// <summary>The launcher's fail-fast rules, with shell scripts as ranks (real processes, no training).</summary>
public class LauncherTests
{
    private sealed class Recorder : ILaunchObserver
    {
        public List<RankEvent> Events { get; } = [];
        public List<(int Attempt, RankFailure Failure, bool Restarting)> Stops { get; } = [];

        public void RankEvent(RankEvent e)
        {
            lock (Events) Events.Add(e);
        }

        public void RankLog(int rank, string line) { }

        public void GroupStopped(int attempt, RankFailure failure, bool restarting) => Stops.Add((attempt, failure, restarting));
    }

    private static LaunchOptions Ranks(string script, int ranks = 2, int maxRestarts = 0, double progressSeconds = 30) => new()
    {
        Executable = "/bin/sh",
        Arguments = ["-c", script],
        ProcessesPerNode = ranks,
        MaxRestarts = maxRestarts,
        CollectiveTimeout = TimeSpan.FromSeconds(1),
        ProgressTimeout = TimeSpan.FromSeconds(progressSeconds),
    };

    [Fact]
    public async Task Launch_RankThatStopsReporting_IsStoppedByTheWatchdogAndKilled()
    {
        var recorder = new Recorder();
        var clock = Stopwatch.StartNew();
        // Rank 0 reports and finishes; rank 1 says it joined (with its pid, which exec keeps), then hangs silently.
        var script = """if [ "$RANK" = 0 ]; then echo '{"event":"done","stop_reason":"completed"}'; else echo "{\"event\":\"joined\",\"pid\":$$}"; exec sleep 60; fi""";

        var result = await new Launcher(Ranks(script, progressSeconds: 2), recorder).RunAsync(CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(1, result.Failure!.Rank);
        Assert.Equal(FailureKind.Crashed, result.Failure.Failure.Kind);
        Assert.Contains("stalled", result.Failure.Failure.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed.TotalSeconds, 2, 15);
        var hung = recorder.Events.Single(e => e.Event == RankEventKind.Joined).Pid!.Value;
        Assert.False(File.Exists($"/proc/{hung}/cmdline") && File.ReadAllText($"/proc/{hung}/cmdline").Contains("sleep", StringComparison.Ordinal), "the hung rank is still alive");
    }

    [Fact]
    public async Task Launch_RankFails_GroupRestartsUpToTheLimitAndReportsTheRanksOwnError()
    {
        var recorder = new Recorder();
        // Rank 1 fails at once with its own error; rank 0 would run for a minute.
        var script = """if [ "$RANK" = 1 ]; then echo "{\"event\":\"failed\",\"failure\":{\"kind\":\"crashed\",\"message\":\"boom $TW_RESTART\"}}"; exit 3; else exec sleep 60; fi""";
        var clock = Stopwatch.StartNew();

        var result = await new Launcher(Ranks(script, maxRestarts: 2), recorder).RunAsync(CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(2, result.Restarts);
        Assert.Equal(new RankFailure(1, JobFailure.Of(FailureKind.Crashed, "boom 2")), result.Failure);
        Assert.Equal([true, true, false], recorder.Stops.Select(s => s.Restarting));
        // Rank 0's minute-long sleep was killed each time, not waited for.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Launch_BadInput_IsNotRetried()
    {
        var result = await new Launcher(Ranks("exit 2", ranks: 1, maxRestarts: 3), new Recorder()).RunAsync(CancellationToken.None);

        Assert.Equal(FailureKind.InvalidInput, result.FailureKind);
        Assert.Equal(0, result.Restarts);
        Assert.Contains("exited with code 2", result.Failure!.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_RankOutOfMemory_IsNotRetried()
    {
        var script = """echo '{"event":"failed","failure":{"kind":"out_of_memory","message":"CUDA out of memory"}}'; exit 3""";

        var result = await new Launcher(Ranks(script, ranks: 1, maxRestarts: 3), new Recorder()).RunAsync(CancellationToken.None);

        Assert.Equal(FailureKind.OutOfMemory, result.FailureKind);
        Assert.Equal(0, result.Restarts);
    }

    [Fact]
    public async Task Launch_RankDiesWithoutReporting_ItsLastWordsSayTheCause()
    {
        // As a rank killed by the disk filling up under it would: a line on stderr, then exit 1.
        var script = """echo 'writing checkpoints/e0001: No space left on device' >&2; exit 1""";

        var result = await new Launcher(Ranks(script, ranks: 1, maxRestarts: 0), new Recorder()).RunAsync(CancellationToken.None);

        Assert.Equal(FailureKind.DiskFull, result.FailureKind);
        Assert.Contains("exited with code 1 without reporting an error; its last words: writing checkpoints/e0001: No space left on device",
            result.Failure!.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_RanksGetTorchrunEnvironment()
    {
        var recorder = new Recorder();
        var script = """echo "{\"event\":\"joined\",\"location\":\"$RANK/$WORLD_SIZE/$LOCAL_RANK/$LOCAL_WORLD_SIZE/$MASTER_ADDR:$MASTER_PORT/$TW_LAUNCHER\"}" """;
        var options = Ranks(script) with { Nodes = 2, NodeRank = 1, MasterAddress = "10.1.2.3", MasterPort = 29999 };

        var result = await new Launcher(options, recorder).RunAsync(CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(["2/4/0/2/10.1.2.3:29999/1", "3/4/1/2/10.1.2.3:29999/1"], recorder.Events.Select(e => e.Location).Order());
    }
}
