using System.Text.Json.Nodes;
using System.Xml.Linq;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Coordinator.Tests.EndToEnd;

/// <summary>Fine-tune pipelines end to end: `tw finetune` and `tw study`, a real coordinator, real workers training on libtorch, moto.</summary>
[Collection(StudyFleetCollection.Name)]
public sealed class PipelineEndToEndTests(MotoFixture moto)
{
    private static readonly TimeSpan StudyTimeout = TimeSpan.FromMinutes(5);

    // Few images of classes 5-9 and a high learning rate: the head stage overfits, its validation loss is lowest before its last epoch.
    private static string Request(StudyFleet f, string approach, string baseModel, string extra = "", int epochs = 6, int batch = 16, int limit = 300) => $$"""
        { "apiVersion": "trainingworkers/v1", "kind": "finetune", "name": "pipe", "base_model": {{baseModel}}, "approach": "{{approach}}",
          "monitor": "val_loss", "stages": { "head_epochs": {{epochs}}, "full_epochs": 2, "backbone_learning_rate": 0.001 },
          "spec": { "apiVersion": "trainingworkers/v1", "name": "ft", "model": { "type": "mlp", "hidden": [64] },
            "data": { "format": "idx", "train": "{{f.Fleet.DataUri}}", "classes": [5, 6, 7, 8, 9], "train_limit": {{limit}}, "validation_split": 0.5, "test_limit": 200 },
            "training": { "epochs": {{epochs}}, "batch_size": {{batch}}, "learning_rate": 0.05, "optimizer": "adam", "seed": 3, "threads": 1 },
            "early_stopping": { "monitor": "val_loss", "patience": {{epochs}} } }{{extra}} }
        """;

    [Fact]
    public async Task Gradual_SecondStageStartsFromTheFirstStagesBestCheckpoint()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        var baseModel = await f.PretrainAsync();
        var worker = f.Fleet.StartWorker("worker-a");
        f.StartCoordinator("coord-a");
        var request = f.File("gradual.json", Request(f, "gradual", $$"""{ "uri": "{{baseModel}}" }"""));

        var submit = await f.TwAsync(TimeSpan.FromMinutes(1), "finetune", request, "--study-id", "g1");
        Assert.True(submit.ExitCode == 0, submit.Log);
        var wait = await f.TwAsync(StudyTimeout, "study", "wait", "g1", "-o", "json");
        Assert.True(wait.ExitCode == 0, wait.Log + f.Logs());

        // The head stage's best epoch by validation loss, from what its worker recorded epoch by epoch: not its last.
        var epochs = await f.Jobs.GetEpochsAsync("g1-gradual-head", CancellationToken.None);
        Assert.Equal(6, epochs.Count);
        var best = epochs.MinBy(e => e.Metrics["val_loss"])!;
        Assert.True(best.Epoch < 6, $"the head stage's best epoch is its last ({string.Join(", ", epochs.Select(e => e.Metrics["val_loss"]))}): nothing to demonstrate");
        var checkpoints = await f.Fleet.CheckpointIdsAsync("g1-gradual-head");
        var bestCheckpoint = Assert.Single(checkpoints, id => id.StartsWith($"e{best.Epoch:D4}-", StringComparison.Ordinal));
        Assert.Contains(checkpoints, id => id.StartsWith("e0006-", StringComparison.Ordinal));
        var from = $"s3://{f.Fleet.Bucket}/jobs/g1-gradual-head/checkpoints/{bestCheckpoint}/";
        var full = (await f.Jobs.GetAsync("g1-gradual-full", CancellationToken.None))!;
        Assert.Equal(JobStatus.Succeeded, full.Status);
        Assert.Equal(from, JsonNode.Parse(full.SpecJson)!["fine_tune"]!["from"]!.GetValue<string>());
        // The worker fetched exactly that checkpoint to start the second stage from.
        Assert.Contains($"Cached {from}", worker.Log, StringComparison.Ordinal);
        var result = StudyFleet.Json(wait.Stdout)["result"]!;
        Assert.Equal(("gradual", $"s3://{f.Fleet.Bucket}/jobs/g1-gradual-full/model/model.pt"), (result["best"]!.GetValue<string>(), result["model_uri"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Compare_ReportRanksTheApproachesOnValidation()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        f.Fleet.StartWorker("worker-a");
        f.Fleet.StartWorker("worker-b");
        f.StartCoordinator("coord-a");
        // The base model is a job the fleet trained.
        var pretrain = f.File("pre.json", f.Fleet.Spec("pre", epochs: 2).GetRawText().Replace("\"validation_split\"", "\"classes\": [0, 1, 2, 3, 4], \"validation_split\"", StringComparison.Ordinal));
        Assert.Equal(0, (await f.TwAsync(TimeSpan.FromMinutes(1), "submit", pretrain, "--job-id", "pre-1", "--queue-url", f.Fleet.QueueUrl)).ExitCode);
        Assert.Equal(0, (await f.TwAsync(StudyTimeout, "wait", "pre-1")).ExitCode);
        var request = f.File("compare.json", Request(f, "compare", """{ "job": "pre-1" }""", """, "compare": ["continue", "freeze", "scratch"]""", epochs: 3));

        Assert.Equal(0, (await f.TwAsync(TimeSpan.FromMinutes(1), "finetune", request, "--study-id", "c1")).ExitCode);
        var wait = await f.TwAsync(StudyTimeout, "study", "wait", "c1", "-o", "json");
        Assert.True(wait.ExitCode == 0, wait.Log + f.Logs());

        var study = StudyFleet.Json(wait.Stdout);
        var branches = study["state"]!["branches"]!.AsArray().Select(b => b!).OrderBy(b => b["rank"]!.GetValue<int>()).ToList();
        Assert.Equal([1, 2, 3], branches.Select(b => b["rank"]!.GetValue<int>()));
        var scores = branches.Select(b => b["score"]!.GetValue<double>()).ToList();
        Assert.Equal(scores.Order(), scores);
        // Each score is the approach's final model on validation, as its job recorded it.
        foreach (var branch in branches)
        {
            var job = (await f.Jobs.GetAsync(branch["stages"]![0]!["job_id"]!.GetValue<string>(), CancellationToken.None))!;
            Assert.Equal(job.FinalMetrics["val_loss"], branch["score"]!.GetValue<double>(), 9);
        }

        var result = study["result"]!;
        Assert.Equal(branches[0]["approach"]!.GetValue<string>(), result["best"]!.GetValue<string>());
        var report = JsonNode.Parse(await f.S3TextAsync(result["report_uri"]!.GetValue<string>()))!;
        Assert.Equal(branches[0]["approach"]!.GetValue<string>(), report["winner"]!.GetValue<string>());
        var svg = XDocument.Parse(await f.S3TextAsync(result["pictures"]![0]!.GetValue<string>()));
        Assert.Equal(3, svg.Descendants().Single(e => (string?)e.Attribute("class") == "legend").Elements().Count());
        var status = await f.TwAsync(TimeSpan.FromMinutes(1), "study", "status", "c1");
        Assert.Matches($@"#1\s+{branches[0]["approach"]}\s", status.Stdout);
    }

    [Fact]
    public async Task PipelineCancelled_ItsRunningJobIsCancelled_WaitExits130()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        var baseModel = await f.PretrainAsync();
        f.Fleet.StartWorker("worker-a");
        f.StartCoordinator("coord-a");
        // One image per step over all the images of the classes: the job trains for minutes unless it is cancelled.
        var request = f.File("long.json", Request(f, "gradual", $$"""{ "uri": "{{baseModel}}" }""", epochs: 200, batch: 1, limit: 3000));
        Assert.Equal(0, (await f.TwAsync(TimeSpan.FromMinutes(1), "finetune", request, "--study-id", "x1")).ExitCode);
        await f.Fleet.WaitForAsync("x1-gradual-head", r => r.Progress is { Epoch: >= 2 }, StudyTimeout, "training");

        var cancel = await f.TwAsync(TimeSpan.FromMinutes(1), "study", "cancel", "x1");
        var wait = await f.TwAsync(StudyTimeout, "study", "wait", "x1");

        Assert.Contains("x1: cancel requested", cancel.Stdout, StringComparison.Ordinal);
        Assert.True(wait.ExitCode == 130, wait.Log + f.Logs());
        var head = await f.Fleet.WaitForEndAsync("x1-gradual-head", TimeSpan.FromMinutes(1));
        Assert.Equal(JobStatus.Cancelled, head.Status);
        Assert.True(head.Progress!.Epoch < 200);
        Assert.Null(await f.Jobs.GetAsync("x1-gradual-full", CancellationToken.None));
        Assert.Equal((StudyStatus.Cancelled, "cancelled by request"), ((await f.Studies.GetAsync("x1", CancellationToken.None))!.Status, (await f.Studies.GetAsync("x1", CancellationToken.None))!.Error));
    }
}
