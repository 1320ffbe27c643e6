using TrainingWorkers.Coordinator.Tests.Simulation;
using TrainingWorkers.Coordinator.Tuning.Samplers;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tests.Decisions;

/// <summary>The sweep driver's decisions on the in-memory stores and a simulated fleet.</summary>
public sealed class SweepTests
{
    [Fact]
    public async Task RandomSweep_EightTrialsTwoAtATime_AshaStopsTheWorst_BestIsTheBestCompleted()
    {
        using var s = new Scenario();
        s.Fleet.Metrics = Sweeps.Curve;
        await s.SubmitAsync(Sweeps.Request(""", "search": { "method": "random", "seed": 3 }, "stopping": { "rule": "asha", "reduction_factor": 3 }"""));

        var study = await s.RunAsync(s.Coordinator("c1"));

        Assert.Equal(StudyStatus.Succeeded, study.Status);
        var state = await s.StateAsync();
        Assert.Equal(8, state.Trials.Count);
        Assert.True(s.Fleet.MostRunningAtOnce <= 2, $"{s.Fleet.MostRunningAtOnce} trials ran at once");
        var pruned = state.Trials.Where(t => t.Status == TrialStatus.Pruned).ToList();
        Assert.NotEmpty(pruned);
        foreach (var t in pruned)
        {
            var job = (await s.Jobs.GetAsync(t.JobId, CancellationToken.None))!;
            Assert.Equal(JobStatus.Cancelled, job.Status);
            Assert.True((await s.Jobs.GetEpochsAsync(t.JobId, CancellationToken.None)).Count < 9, $"trial {t.Number} trained all its epochs");
        }

        // The best is what the workers reported: the highest val_accuracy of any completed trial's epochs.
        var reported = new List<(int Trial, double Value)>();
        foreach (var t in state.Trials.Where(t => t.Status == TrialStatus.Completed))
        {
            reported.Add((t.Number, (await s.Jobs.GetEpochsAsync(t.JobId, CancellationToken.None)).Max(e => e.Metrics["val_accuracy"])));
        }

        var result = StudyJson.Read<StudyResult>(study.ResultJson);
        var best = reported.MaxBy(r => r.Value);
        Assert.Equal((best.Trial, best.Value), (result.BestTrial!.Value, result.Value!.Value));
        Assert.Equal(state.Trials[best.Trial].Params["training.learning_rate"]!.GetValue<double>(), result.Spec!["training"]!["learning_rate"]!.GetValue<double>());
        Assert.Equal($"s3://fake/jobs/s1-t{best.Trial:D3}/model/model.pt", result.ModelUri);
        Assert.Contains("s3://fake/studies/s1/parameters.svg", result.Pictures);
    }

    [Fact]
    public async Task MedianRule_StopsTrialsWhoseBestIsBelowTheCompletedMedian()
    {
        using var s = new Scenario();
        s.Fleet.Metrics = Sweeps.Curve;
        await s.SubmitAsync(Sweeps.Request(""", "search": { "method": "random", "seed": 5 }, "stopping": { "rule": "median", "min_trials": 2, "warmup_epochs": 1 }""", trials: 10));

        var study = await s.RunAsync(s.Coordinator("c1"));

        Assert.Equal(StudyStatus.Succeeded, study.Status);
        var state = await s.StateAsync();
        var pruned = state.Trials.Where(t => t.Status == TrialStatus.Pruned).ToList();
        Assert.NotEmpty(pruned);
        var completed = state.Trials.Where(t => t.Status == TrialStatus.Completed).ToList();
        foreach (var t in pruned)
        {
            var epoch = t.StoppedAtEpoch!.Value;
            Assert.True(epoch > 1, $"trial {t.Number} stopped in its warm-up");
            var median = completed.Where(c => c.Values.ContainsKey(epoch)).Select(c => c.Values[epoch]).Order().ToList() is var v && v.Count % 2 == 1 ? v[v.Count / 2] : (v[(v.Count / 2) - 1] + v[v.Count / 2]) / 2;
            Assert.True(t.Values.Where(kv => kv.Key <= epoch).Max(kv => kv.Value) < median, $"trial {t.Number} was not below the median at epoch {epoch}");
        }
    }

    [Fact]
    public async Task MoreFailedTrialsThanAllowed_FailTheSweepWithTheLastError_NoJobLeftRunning()
    {
        using var s = new Scenario();
        s.Fleet.Metrics = (spec, e) => new() { ["val_accuracy"] = 0.5, ["fail"] = spec["training"]!["learning_rate"]!.GetValue<double>() > 0.0001 ? 1 : 0 };
        await s.SubmitAsync(Sweeps.Request(""", "max_failed_trials": 1""", trials: 8));

        var study = await s.RunAsync(s.Coordinator("c1"));
        await s.Fleet.TickAsync(); // the workers stop what was cancelled

        Assert.Equal(StudyStatus.Failed, study.Status);
        Assert.StartsWith("invalid_input: ", study.Error, StringComparison.Ordinal);
        Assert.Contains("trials failed, more than max_failed_trials (1); the last: invalid_input: fine_tune.from", study.Error, StringComparison.Ordinal);
        Assert.All(await s.Jobs.ListAsync(100, CancellationToken.None), j => Assert.True(j.Status.IsTerminal(), $"{j.JobId} is {j.Status}"));
    }

    [Fact]
    public async Task Grid_WalksEveryPointOnce()
    {
        using var s = new Scenario();
        s.Fleet.Metrics = Sweeps.Curve;
        await s.SubmitAsync(Sweeps.Request(""", "search": { "method": "grid" }""",
            """{ "training.learning_rate": { "choice": [0.001, 0.01, 0.1] }, "model.hidden[0]": { "int": [32, 96], "step": 32 } }""", trials: 9));

        Assert.Equal(StudyStatus.Succeeded, (await s.RunAsync(s.Coordinator("c1"))).Status);

        var points = (await s.StateAsync()).Trials.Select(t => (t.Params["training.learning_rate"]!.GetValue<double>(), t.Params["model.hidden[0]"]!.GetValue<long>())).ToHashSet();
        Assert.Equal(9, points.Count);
        Assert.Contains((0.1, 96L), points);
    }

    [Fact]
    public async Task WarmStart_EarlierBestIsTheFirstTrial_ItsTrialsInformTheModelBasedSearch()
    {
        using var s = new Scenario();
        s.Fleet.Metrics = Sweeps.Curve;
        await s.SubmitAsync(Sweeps.Request(""", "search": { "method": "random", "seed": 11 }""", trials: 6), "earlier");
        await s.RunAsync(s.Coordinator("c1"), "earlier");
        var earlier = StudyJson.Read<StudyResult>((await s.Studies.GetAsync("earlier", CancellationToken.None))!.ResultJson);

        var request = Sweeps.Request(""", "search": { "method": "tpe", "seed": 11, "startup_trials": 3 }, "warm_start": { "study": "earlier" }""", trials: 4);
        await s.SubmitAsync(request, "later");
        Assert.Equal(StudyStatus.Succeeded, (await s.RunAsync(s.Coordinator("c2"), "later")).Status);

        var state = await s.StateAsync("later");
        Assert.Equal(6, state.PriorTrials.Count);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(earlier.Params, state.Trials[0].Params));
        // Six earlier trials are past the three random start-up trials: trial 1 comes from the model, not the random draw.
        var space = ((TuneRequest)StudyRequestParser.Parse(request)).SearchSpace;
        Assert.False(System.Text.Json.Nodes.JsonNode.DeepEquals(new RandomSampler(space, 11).Sample(1, []), state.Trials[1].Params));
    }

    [Fact]
    public async Task SweepOverAPipelinesFullStage_HeadStageRunsOnce_EveryTrialStartsFromItsBestCheckpoint()
    {
        using var s = new Scenario();
        s.Files.Existing.Add("s3://fake/pre/model.pt");
        // The head stage (4 of the spec's 9 epochs) is best at its epoch 2.
        s.Fleet.Metrics = (spec, e) => spec["name"]!.GetValue<string>().EndsWith("-head", StringComparison.Ordinal)
            ? new() { ["val_accuracy"] = 0.8 - (Math.Pow(e - 2, 2) / 10), ["val_loss"] = 0.5 } : Sweeps.Curve(spec, e);
        var request = Sweeps.Request(""", "finetune": { "base_model": { "uri": "s3://fake/pre/model.pt" }, "approach": "gradual", "stage": "full" }""",
            """{ "training.learning_rate": { "log_uniform": [0.0001, 0.1] }, "fine_tune.backbone_learning_rate": { "log_uniform": [0.00001, 0.01] } }""", trials: 4);
        await s.SubmitAsync(request);

        Assert.Equal(StudyStatus.Succeeded, (await s.RunAsync(s.Coordinator("c1"))).Status);

        var jobs = await s.Jobs.ListAsync(100, CancellationToken.None);
        Assert.Single(jobs, j => j.JobId.Contains("-head", StringComparison.Ordinal));
        var head = (await s.StateAsync()).Branches.Single().Stages.Single();
        Assert.Equal((2, "s3://fake/pre/model.pt"), (head.BestEpoch, head.From));
        foreach (var trial in (await s.StateAsync()).Trials)
        {
            var spec = System.Text.Json.Nodes.JsonNode.Parse((await s.Jobs.GetAsync(trial.JobId, CancellationToken.None))!.SpecJson)!;
            Assert.Equal(head.BestCheckpointUri, spec["fine_tune"]!["from"]!.GetValue<string>());
            Assert.False(spec["fine_tune"]!["replace_head"]!.GetValue<bool>());
            Assert.Equal(trial.Params["fine_tune.backbone_learning_rate"]!.GetValue<double>(), spec["fine_tune"]!["backbone_learning_rate"]!.GetValue<double>());
            Assert.Equal(5, spec["training"]!["epochs"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task WarmStartFromAMissingStudy_FailsAtOnceNamingTheField()
    {
        using var s = new Scenario();
        var request = Sweeps.Request(""", "warm_start": { "study": "gone" }""");
        await s.Studies.CreateAsync("s1", StudyKinds.Tune, "sweep", request, CancellationToken.None);

        var study = await s.RunAsync(s.Coordinator("c1"));

        Assert.Equal((StudyStatus.Failed, "invalid_input: warm_start.study: study 'gone' does not exist"), (study.Status, study.Error));
        Assert.Empty(await s.Jobs.ListAsync(10, CancellationToken.None));
    }
}
