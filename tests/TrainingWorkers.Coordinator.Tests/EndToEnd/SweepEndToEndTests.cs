using System.Text.Json.Nodes;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Coordinator.Tests.EndToEnd;

/// <summary>Sweeps end to end: `tw tune` and `tw study`, real coordinators (one killed), real workers training on libtorch, moto.</summary>
[Collection(StudyFleetCollection.Name)]
public sealed class SweepEndToEndTests(MotoFixture moto)
{
    private static readonly TimeSpan StudyTimeout = TimeSpan.FromMinutes(6);

    // Heartbeats every second: a trial the stopping rule condemns is cancelled within about a second.
    // A pruned trial stops before its last epoch only if the stop reaches it within an epoch or two: the coordinator
    // looks every 250 ms, the workers every 0.6 s, and a trial's epoch (6,000 images) takes about a second on a quiet
    // machine. With 2,000 images the six epochs took 1.5 s there, less than one look of each.
    private static readonly Dictionary<string, string> QuickCancel = new() { ["TW_Worker__LeaseDuration"] = "00:00:05", ["TW_Worker__HeartbeatFraction"] = "0.12" };
    private static readonly Dictionary<string, string?> QuickLook = new() { ["TW_Coordinator__PollInterval"] = "00:00:00.250" };

    // SGD with a learning rate drawn from 1e-5 to 1: many trials learn little, some diverge, so the search matters.
    private static string Request(StudyFleet f, int trials, int epochs, string model, string extra, int images = 2000) => $$"""
        { "apiVersion": "trainingworkers/v1", "kind": "tune", "name": "sweep",
          "spec": { "apiVersion": "trainingworkers/v1", "name": "trial", "model": {{model}},
            "data": { "format": "idx", "train": "{{f.Fleet.DataUri}}", "train_limit": {{images}}, "validation_split": 0.25, "test_limit": 200 },
            "training": { "epochs": {{epochs}}, "batch_size": 32, "optimizer": "sgd", "learning_rate": 0.01, "seed": 3, "threads": 1 },
            "early_stopping": { "enabled": false }, "checkpointing": { "keep_last": 1 } },
          "objective": { "metric": "val_accuracy", "mode": "max" },
          "search_space": { "training.learning_rate": { "log_uniform": [0.00001, 1.0] } },
          "trials": {{trials}}, "parallel": 2, "search": { "method": "random", "seed": 7 }{{extra}} }
        """;

    [Fact]
    public async Task RandomSweep_EightTrialsTwoAtATime_AshaStopsSome_BestIsTheBestReported()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        f.Fleet.StartWorker("worker-a", QuickCancel);
        f.Fleet.StartWorker("worker-b", QuickCancel);
        f.StartCoordinator("coord-a", QuickLook);
        var cnn = """{ "type": "cnn", "conv": [ { "filters": 8, "pool": 2 } ], "hidden": [32] }""";
        var request = f.File("sweep.json", Request(f, trials: 8, epochs: 6, cnn, """, "stopping": { "rule": "asha", "min_epochs": 1, "reduction_factor": 2 }""", images: 6000));

        Assert.Equal(0, (await f.TwAsync(TimeSpan.FromMinutes(1), "tune", request, "--study-id", "r1")).ExitCode);
        var wait = await f.TwAsync(StudyTimeout, "study", "wait", "r1", "-o", "json");
        Assert.True(wait.ExitCode == 0, wait.Log + f.Logs());

        var trials = StudyFleet.Json(wait.Stdout)["state"]!["trials"]!.AsArray().Select(t => t!).ToList();
        Assert.Equal(8, trials.Count);
        var jobs = new List<(JsonNode Trial, JobRecord Job, IReadOnlyList<EpochMetrics> Epochs, IReadOnlyList<JobStatusChange> History)>();
        foreach (var t in trials)
        {
            var id = t["job_id"]!.GetValue<string>();
            jobs.Add((t, (await f.Jobs.GetAsync(id, CancellationToken.None))!, await f.Jobs.GetEpochsAsync(id, CancellationToken.None), await f.Jobs.GetHistoryAsync(id, CancellationToken.None)));
        }

        // ASHA stopped at least one trial through the cancel path, before its last epoch.
        var stopped = jobs.Where(j => j.Trial["status"]!.GetValue<string>() == "pruned").ToList();
        Assert.NotEmpty(stopped);
        Assert.All(stopped, j => Assert.True(j.Job.Status == JobStatus.Cancelled && j.Epochs.Count < 6, $"{j.Job.JobId}: {j.Job.Status} after {j.Epochs.Count} epochs"));
        // Never more than two trials trained at once (claimed to ended, from the jobs' own histories).
        var spans = jobs.Select(j => (Start: j.History.First(h => h.Status == JobStatus.Running).At, End: j.History.Last().At)).ToList();
        Assert.True(spans.Max(a => spans.Count(b => b.Start <= a.Start && a.Start < b.End)) <= 2, "more than two trials ran at once");
        // The best trial's objective is the best any completed trial reported.
        var completed = jobs.Where(j => j.Trial["status"]!.GetValue<string>() == "completed").ToList();
        var best = completed.MaxBy(j => j.Epochs.Max(e => e.Metrics["val_accuracy"]));
        var result = StudyFleet.Json(wait.Stdout)["result"]!;
        Assert.Equal(best.Trial["number"]!.GetValue<int>(), result["best_trial"]!.GetValue<int>());
        Assert.Equal(best.Epochs.Max(e => e.Metrics["val_accuracy"]), result["value"]!.GetValue<double>(), 9);
        Assert.Equal(best.Job.ModelUri, result["model_uri"]!.GetValue<string>());
        Assert.Equal(2, result["pictures"]!.AsArray().Count);
        Assert.Equal((0, 0), await f.Fleet.QueueDepthAsync(0, 0));
    }

    [Fact]
    public async Task CoordinatorKilledMidStudy_AnotherTakesItOver_NothingLostOrDoubled()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        f.Fleet.StartWorker("worker-a");
        f.Fleet.StartWorker("worker-b");
        var first = f.StartCoordinator("coord-a");
        var request = f.File("sweep.json", Request(f, trials: 6, epochs: 3, """{ "type": "mlp", "hidden": [32] }""", ""));
        Assert.Equal(0, (await f.TwAsync(TimeSpan.FromMinutes(1), "tune", request, "--study-id", "k1")).ExitCode);
        // Killed once it has decided a trial after the first two: some trials done, some running, some not yet decided.
        await f.WaitForStudyAsync("k1", s => s.StateJson?.Contains("\"number\":2,", StringComparison.Ordinal) == true, StudyTimeout, "at its third trial");
        first.Kill();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        f.StartCoordinator("coord-b");

        var study = await f.WaitForStudyAsync("k1", s => s.Status.IsTerminal(), StudyTimeout, "finished");

        Assert.True(study.Status == StudyStatus.Succeeded, $"{study.Status} {study.Error}\n{f.Logs()}");
        var wait = await f.TwAsync(TimeSpan.FromMinutes(1), "study", "status", "k1", "-o", "json");
        var trials = StudyFleet.Json(wait.Stdout)["state"]!["trials"]!.AsArray().Select(t => t!).ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5], trials.Select(t => t["number"]!.GetValue<int>()));
        Assert.All(trials, t => Assert.Equal("completed", t["status"]!.GetValue<string>()));
        // Every trial's job exists once, was created once, and ran once; no other job exists.
        var creations = await f.JobCreationsAsync();
        Assert.Equal(trials.Select(t => t["job_id"]!.GetValue<string>()).Order(), creations.Keys.Order());
        Assert.All(creations, c => Assert.Equal(1, c.Value));
        foreach (var id in creations.Keys)
        {
            var history = await f.Jobs.GetHistoryAsync(id, CancellationToken.None);
            Assert.Single(history, h => h.Status == JobStatus.Succeeded);
        }

        var studyHistory = await f.Studies.GetHistoryAsync("k1", CancellationToken.None);
        Assert.Contains(studyHistory, h => h.OwnerId == "coord-b" && h.Reason == "lease taken over from coord-a");
        Assert.Equal("coord-b", studyHistory[^1].OwnerId);
        Assert.Equal((0, 0), await f.Fleet.QueueDepthAsync(0, 0));
    }
}
