using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Tests;

/// <summary>Real training runs on small Fashion-MNIST subsets (Debian's dataset-fashion-mnist).</summary>
public sealed class TrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-trainer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JobSpec Spec(string json) => JobSpecParser.Parse(json);

    private async Task<TrainingResult> TrainAsync(JobSpec spec, ICheckpointStore? store = null)
    {
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        await using var sink = new JsonlMetricsSink(Path.Combine(_dir, "metrics.jsonl"));
        return await new Trainer(spec, data, store ?? new DirectoryCheckpointStore(Path.Combine(_dir, "checkpoints")), sink).RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Run_MlpOnFashionMnistSubset_BeatsSeventyFivePercentTestAccuracy()
    {
        var result = await TrainAsync(Spec("""
            { "apiVersion": "trainingworkers/v1", "name": "mlp-subset",
              "model": { "type": "mlp", "hidden": [128] },
              "data": { "train": "fashion-mnist", "train_limit": 6000, "test_limit": 2000 },
              "training": { "epochs": 3, "batch_size": 64, "threads": 2 } }
            """));

        Assert.Equal(StopReason.Completed, result.StopReason);
        Assert.Equal(3, result.History.Count);
        Assert.True(result.Test!.Classification!.Accuracy > 0.75, $"test accuracy {result.Test.Classification.Accuracy}");
        Assert.True(result.History[^1].Metrics[MetricNames.TrainLoss] < result.History[0].Metrics[MetricNames.TrainLoss]);
        var lines = await File.ReadAllLinesAsync(Path.Combine(_dir, "metrics.jsonl"));
        Assert.Contains(lines, l => l.Contains("\"name\":\"val_accuracy\"", StringComparison.Ordinal) && l.Contains("\"epoch\":3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_CnnOnFashionMnistSubset_LearnsAndWritesLoadableCheckpoints()
    {
        var spec = Spec("""
            { "apiVersion": "trainingworkers/v1", "name": "cnn-subset",
              "model": { "type": "cnn", "conv": [ { "filters": 8 }, { "filters": 16 } ], "hidden": [32] },
              "data": { "train": "fashion-mnist", "train_limit": 3000, "test_limit": 1000 },
              "training": { "epochs": 2, "batch_size": 64, "learning_rate": 0.003, "threads": 2 },
              "checkpointing": { "keep_last": 1 } }
            """);
        var store = new DirectoryCheckpointStore(Path.Combine(_dir, "checkpoints"));
        var result = await TrainAsync(spec, store);

        Assert.True(result.Test!.Classification!.Accuracy > 0.6, $"test accuracy {result.Test.Classification.Accuracy}");
        var manifests = await store.ListAsync(CancellationToken.None);
        // keep_last 1, plus the best epoch's when that is an older one.
        Assert.InRange(manifests.Count, 1, 2);
        Assert.Equal(result.LastCheckpoint, manifests[^1].Id);
        var checkpoint = await store.ReadAsync(manifests[^1].Id, CancellationToken.None);
        Assert.Equal(["best_model.pt", "model.pt", "optimizer.pt", "rng.bin", "trainer.json"], checkpoint.Files.Keys.Order(StringComparer.Ordinal));

        using var model = Model.Create(result.Model, "cpu");
        model.LoadState(checkpoint.Files["model.pt"]);
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        var restored = Evaluator.Evaluate(model, data.Validation!, data.ClassNames);
        Assert.Equal(result.History[^1].Metrics[MetricNames.ValLoss], restored.Loss, 6);
    }

    [Fact]
    public async Task Run_OverfittingModel_StopsEarlyAndRestoresTheBestWeights()
    {
        // 300 examples, a wide MLP, no dropout and a high learning rate: validation loss soon rises.
        var result = await TrainAsync(Spec("""
            { "apiVersion": "trainingworkers/v1", "name": "overfit",
              "model": { "type": "mlp", "hidden": [512], "dropout": 0 },
              "data": { "train": "fashion-mnist", "train_limit": 300, "validation_split": 0.3, "use_test_set": false },
              "training": { "epochs": 40, "batch_size": 16, "learning_rate": 0.003, "threads": 2 },
              "early_stopping": { "monitor": "val_loss", "patience": 2 } }
            """));

        Assert.Equal(StopReason.EarlyStopped, result.StopReason);
        Assert.True(result.History.Count < 40);
        Assert.Equal(result.BestEpoch + 2, result.History.Count);
        var best = result.History[result.BestEpoch - 1].Metrics[MetricNames.ValLoss];
        Assert.Equal(result.History.Min(h => h.Metrics[MetricNames.ValLoss]), best);
        Assert.True(result.RestoredBestWeights);
        Assert.Equal(best, result.Validation!.Loss, 6);
    }

    [Fact]
    public async Task Run_Cancelled_WritesACheckpointFirst()
    {
        var spec = Spec("""
            { "apiVersion": "trainingworkers/v1", "name": "cancel",
              "data": { "train": "fashion-mnist", "train_limit": 2000, "use_test_set": false },
              "training": { "epochs": 5, "batch_size": 32, "threads": 2 } }
            """);
        var store = new DirectoryCheckpointStore(Path.Combine(_dir, "checkpoints"));
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        using var cancel = new CancellationTokenSource();
        var observer = new CancelAtStep(cancel, epoch: 2, step: 10);
        await using var sink = new JsonlMetricsSink(Path.Combine(_dir, "metrics.jsonl"));
        var result = await new Trainer(spec, data, store, sink, observer).RunAsync(cancel.Token);

        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.Single(result.History);
        var newest = (await store.ListAsync(CancellationToken.None))[^1];
        Assert.Equal(result.LastCheckpoint, newest.Id);
        Assert.Equal(1, newest.Epoch);
        Assert.Equal(57 + 10, newest.Step); // 1800 training examples / 32 = 57 steps, then 10 more
    }

    [Fact]
    public async Task Resume_FromAMidEpochCheckpoint_EndsBitIdenticalToAnUninterruptedRun()
    {
        // Dropout and a cosine schedule: resume must restore the generator, the optimizer and the position.
        var spec = Spec("""
            { "apiVersion": "trainingworkers/v1", "name": "resume",
              "model": { "type": "mlp", "hidden": [64], "dropout": 0.3 },
              "data": { "train": "fashion-mnist", "train_limit": 1500, "use_test_set": false },
              "training": { "epochs": 3, "batch_size": 50, "threads": 2, "lr_schedule": { "type": "cosine" } },
              "early_stopping": { "patience": 5, "restore_best_weights": false },
              "checkpointing": { "every_steps": 7 } }
            """);
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        await using var sink = new JsonlMetricsSink(Path.Combine(_dir, "metrics.jsonl"));
        var whole = await new Trainer(spec, data, new DirectoryCheckpointStore(Path.Combine(_dir, "a")), sink).RunAsync(CancellationToken.None);

        var store = new DirectoryCheckpointStore(Path.Combine(_dir, "b"));
        using (var cancel = new CancellationTokenSource())
        {
            // 27 steps per epoch: stop in epoch 2, after step 40 (the checkpoint at step 35 is a mid-epoch one).
            var stopped = await new Trainer(spec, data, store, sink, new CancelAtStep(cancel, epoch: 2, step: 13)).RunAsync(cancel.Token);
            Assert.Equal(StopReason.Cancelled, stopped.StopReason);
        }

        var newest = await store.ReadNewestGoodAsync(_ => { }, CancellationToken.None);
        Assert.NotNull(newest);
        Assert.Equal(40, newest.Manifest.Step);
        var resumed = await new Trainer(spec, data, store, sink).RunAsync(CancellationToken.None, newest);

        Assert.Equal(newest.Manifest.Id, resumed.ResumedFrom);
        // keep_last 2 let many newer checkpoints come and go; the one resumed from stays.
        Assert.Contains(newest.Manifest.Id, (await store.ListAsync(CancellationToken.None)).Select(m => m.Id));
        Assert.Equal(whole.ModelState, resumed.ModelState);
        Assert.Equal(whole.History.Select(h => h.Metrics[MetricNames.TrainLoss]), resumed.History.Select(h => h.Metrics[MetricNames.TrainLoss]));
        Assert.Equal(whole.Validation!.Loss, resumed.Validation!.Loss);
    }

    [Fact]
    public async Task Resume_CheckpointOfAnotherModel_IsRefusedWithAClearError()
    {
        var small = Spec("""
            { "apiVersion": "trainingworkers/v1", "name": "small", "model": { "hidden": [16] },
              "data": { "train": "fashion-mnist", "train_limit": 500, "use_test_set": false }, "training": { "epochs": 1 } }
            """);
        var store = new DirectoryCheckpointStore(Path.Combine(_dir, "checkpoints"));
        await TrainAsync(small, store);
        var checkpoint = await store.ReadNewestGoodAsync(_ => { }, CancellationToken.None);

        var wide = small with { Model = small.Model with { Hidden = [32] } };
        var data = DatasetLoader.Load(wide.Data, wide.Training.Seed);
        await using var sink = new JsonlMetricsSink(Path.Combine(_dir, "m.jsonl"));
        var e = await Assert.ThrowsAsync<CorruptCheckpointException>(() => new Trainer(wide, data, store, sink).RunAsync(CancellationToken.None, checkpoint));
        Assert.Contains("do not fit this job's model", e.Message, StringComparison.Ordinal);
    }
}
