using System.Diagnostics;
using System.Text.Json;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Cli.Tests.Distributed;

/// <summary>Fail-fast and restart from the last checkpoint, with real rank processes.</summary>
// Rank processes are CPU-heavy: these tests run one at a time (on a 2-core machine).
[Collection("rank processes")]
public sealed class FaultToleranceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private const int CollectiveTimeoutSeconds = 10;
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-fault-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSpec(string name, int epochs = 3)
    {
        var path = Path.Combine(_dir, name + ".json");
        // Epochs of 50 steps (3200 examples, 2 ranks x 32), a checkpoint every 20 steps.
        File.WriteAllText(path, $$"""
            { "apiVersion": "trainingworkers/v1", "name": "{{name}}",
              "model": { "type": "mlp", "hidden": [32], "dropout": 0 },
              "data": { "train": "fashion-mnist", "train_limit": 3200, "validation_split": 0, "use_test_set": false },
              "training": { "epochs": {{epochs}}, "batch_size": 32, "threads": 1, "seed": 11 },
              "checkpointing": { "every_steps": 20, "keep_last": 10 } }
            """);
        return path;
    }

    private static string[] Launch(string spec, string runs, int maxRestarts) =>
        ["run", spec, "--output", "json", "--nproc-per-node", "2", "--master-port", LaunchOptions.FreePort().ToString(),
         "--max-restarts", maxRestarts.ToString(), "--collective-timeout", CollectiveTimeoutSeconds.ToString(), "--progress-timeout", "60", "--runs-dir", runs];

    private static float[] Parameters(string specPath, JsonElement launch)
    {
        var spec = JobSpecParser.Parse(File.ReadAllText(specPath));
        using var model = Model.Create(ModelBuilder.Build(spec.Model, [1, 28, 28], 10, LossKind.CrossEntropy), "cpu");
        model.LoadState(File.ReadAllBytes(launch.GetProperty("report").GetProperty("artifacts").GetProperty("model").GetString()!));
        return model.CopyParameters();
    }

    [Fact]
    public async Task RankKilledMidEpoch_GroupStopsWithinTheTimeout_RestartsFromTheCheckpointAndEndsAsAnUninterruptedRun()
    {
        var spec = WriteSpec("fault");
        var runs = Path.Combine(_dir, "killed");
        using var launcher = TwProcess.Start(_dir, Launch(spec, runs, maxRestarts: 1));
        await launcher.WaitForFileAsync(runs, "manifest.json", Timeout);
        var rank0 = RankProcesses.RankPid(runs, 0);
        var rank1 = RankProcesses.RankPid(runs, 1);
        Assert.True(rank0 is not null && rank1 is not null, "both ranks should be running");

        var killed = Stopwatch.StartNew();
        Process.GetProcessById(rank1!.Value).Kill();
        while (RankProcesses.IsAlive(rank0!.Value) && killed.Elapsed < TimeSpan.FromSeconds(CollectiveTimeoutSeconds)) await Task.Delay(50);
        Assert.False(RankProcesses.IsAlive(rank0.Value), $"rank 0 still runs {killed.Elapsed.TotalSeconds:F1} s after rank 1 was killed");

        var code = await launcher.WaitAsync(Timeout);
        Assert.True(code == 0, launcher.Stderr);
        using var result = JsonDocument.Parse(launcher.Stdout);
        var root = result.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal(1, root.GetProperty("restarts").GetInt32());
        Assert.Contains("rank 1 (pid " + rank1 + ") was killed by signal 9", launcher.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, root.GetProperty("report").GetProperty("epochs_run").GetInt32());

        // The same job, never interrupted, ends with the same weights: the restart lost and repeated nothing.
        var reference = Path.Combine(_dir, "reference");
        var (referenceCode, referenceOut, referenceErr) = await TwProcess.RunAsync(_dir, Timeout, Launch(spec, reference, maxRestarts: 0));
        Assert.True(referenceCode == 0, referenceErr);
        using var referenceResult = JsonDocument.Parse(referenceOut);
        var a = Parameters(spec, root);
        var b = Parameters(spec, referenceResult.RootElement);
        var difference = a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
        Assert.True(difference < 1e-6, $"max |difference| {difference}");
        Assert.True(await RankProcesses.NoneLeftAsync(_dir, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task LauncherTerminated_RanksStopAfterTheSameStep_CheckpointAndExit130()
    {
        // Far more epochs than it runs: on a quiet machine 3 epochs end about a second after the first checkpoint,
        // before the SIGTERM sent on seeing it arrives.
        var spec = WriteSpec("stop", epochs: 100);
        var runs = Path.Combine(_dir, "stopped");
        using var launcher = TwProcess.Start(_dir, Launch(spec, runs, maxRestarts: 0));
        await launcher.WaitForFileAsync(runs, "manifest.json", Timeout);
        using (var kill = Process.Start("kill", ["-TERM", launcher.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        var code = await launcher.WaitAsync(TimeSpan.FromSeconds(CollectiveTimeoutSeconds + 20));
        Assert.True(code == 130, launcher.Stderr);
        using var result = JsonDocument.Parse(launcher.Stdout);
        Assert.Equal("cancelled", result.RootElement.GetProperty("status").GetString());
        var done = launcher.Stderr.Split('\n').Select(RankEvent.TryParse).Where(e => e?.Event == RankEventKind.Done).ToList();
        Assert.Equal(2, done.Count);
        Assert.All(done, e => Assert.Equal(TrainingWorkers.Engine.Training.StopReason.Cancelled, e!.StopReason));
        // Both ranks took the same number of steps, and rank 0's last checkpoint is at that step.
        Assert.Equal(done[0]!.SyncSteps, done[1]!.SyncSteps);
        var last = Directory.GetDirectories(Path.Combine(result.RootElement.GetProperty("run_dir").GetString()!, "checkpoints")).Max()!;
        Assert.EndsWith($"s{done[0]!.SyncSteps:D9}", last, StringComparison.Ordinal);
        Assert.True(await RankProcesses.NoneLeftAsync(_dir, TimeSpan.FromSeconds(5)));
    }
}
