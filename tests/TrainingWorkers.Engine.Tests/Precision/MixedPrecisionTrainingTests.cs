using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Tests.Precision;

/// <summary>Whole training runs with training.precision on small Fashion-MNIST subsets.</summary>
public sealed class MixedPrecisionTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-precision-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The MLP of TrainerTests' accuracy test, in another precision and on another device.</summary>
    private static JobSpec Mlp(string precision, string device, string extra = "") => JobSpecParser.Parse($$"""
        { "apiVersion": "trainingworkers/v1", "name": "mlp-{{precision}}",
          "model": { "type": "mlp", "hidden": [128] },
          "data": { "train": "fashion-mnist", "train_limit": 6000, "test_limit": 2000 },
          "training": { "epochs": 3, "batch_size": 64, "threads": 2, "precision": "{{precision}}", "device": "{{device}}"{{extra}} } }
        """);

    private async Task<TrainingResult> TrainAsync(JobSpec spec, ICheckpointStore? store = null, CancellationToken cancellationToken = default, Checkpoint? from = null, ITrainingObserver? observer = null)
    {
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        await using var sink = new JsonlMetricsSink(Path.Combine(_dir, "metrics.jsonl"));
        store ??= new DirectoryCheckpointStore(Path.Combine(_dir, Guid.NewGuid().ToString("N")));
        return await new Trainer(spec, data, store, sink, observer).RunAsync(cancellationToken, from);
    }

    [Fact]
    public async Task Run_Bf16MlpOnCpu_BeatsSeventyFivePercentTestAccuracy()
    {
        var result = await TrainAsync(Mlp("bf16", "cpu"));
        var fp32 = await TrainAsync(Mlp("fp32", "cpu"));

        Assert.Equal(StopReason.Completed, result.StopReason);
        Assert.True(result.Test!.Classification!.Accuracy > 0.75, $"test accuracy {result.Test.Classification.Accuracy}");
        Assert.True(result.History[^1].Metrics[MetricNames.TrainLoss] < result.History[0].Metrics[MetricNames.TrainLoss]);
        // The same seed and data in float32 end elsewhere: autocast was on.
        Assert.NotEqual(fp32.ModelState, result.ModelState);
        Assert.Equal(fp32.Test!.Classification!.Accuracy, result.Test.Classification.Accuracy, 0.03);
    }

    [CpuOnlyFact]
    public async Task Run_Fp16WithDeviceAutoAndNoGpu_IsRefusedNamingThePrecision()
    {
        var e = await Assert.ThrowsAsync<Core.Failures.JobInputException>(() => TrainAsync(Mlp("fp16", "auto")));
        Assert.Equal("training.precision", e.Field);
        Assert.StartsWith("training.precision: fp16 needs a CUDA device", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_Bf16FromAMidEpochCheckpoint_EndsBitIdenticalToAnUninterruptedRun()
    {
        // TrainerTests' exact-resume run (dropout, cosine schedule, mid-epoch checkpoints) in bf16.
        var spec = JobSpecParser.Parse("""
            { "apiVersion": "trainingworkers/v1", "name": "resume-bf16",
              "model": { "type": "mlp", "hidden": [64], "dropout": 0.3 },
              "data": { "train": "fashion-mnist", "train_limit": 1500, "use_test_set": false },
              "training": { "epochs": 3, "batch_size": 50, "threads": 2, "precision": "bf16", "device": "cpu", "lr_schedule": { "type": "cosine" } },
              "early_stopping": { "patience": 5, "restore_best_weights": false },
              "checkpointing": { "every_steps": 7 } }
            """);
        var whole = await TrainAsync(spec);

        var store = new DirectoryCheckpointStore(Path.Combine(_dir, "stopped"));
        using (var cancel = new CancellationTokenSource())
        {
            var stopped = await TrainAsync(spec, store, cancel.Token, observer: new CancelAtStep(cancel, epoch: 2, step: 13));
            Assert.Equal(StopReason.Cancelled, stopped.StopReason);
        }

        var newest = await store.ReadNewestGoodAsync(_ => { }, CancellationToken.None);
        Assert.NotNull(newest);
        var resumed = await TrainAsync(spec, store, from: newest);

        Assert.Equal(whole.ModelState, resumed.ModelState);
        Assert.Equal(whole.History.Select(h => h.Metrics[MetricNames.TrainLoss]), resumed.History.Select(h => h.Metrics[MetricNames.TrainLoss]));
    }

    [Fact]
    public void TrainerState_WithLossScaler_SurvivesTheCheckpointFormat()
    {
        var state = new TrainerState { LossScaler = new LossScalerState(32768, 1234) };
        Assert.Equal(state.LossScaler, TrainerState.Deserialize(state.Serialize()).LossScaler);
        Assert.Null(TrainerState.Deserialize(new TrainerState().Serialize()).LossScaler);
    }

    [GpuFact]
    public async Task Run_Fp16MlpOnCuda_BeatsSeventyFivePercentAndCheckpointsTheScaler()
    {
        var store = new DirectoryCheckpointStore(Path.Combine(_dir, "fp16"));
        var result = await TrainAsync(Mlp("fp16", "cuda"), store);

        Assert.Equal("cuda", result.Device);
        Assert.True(result.Test!.Classification!.Accuracy > 0.75, $"test accuracy {result.Test.Classification.Accuracy}");
        var checkpoint = await store.ReadAsync(result.LastCheckpoint!, CancellationToken.None);
        var scaler = TrainerState.Deserialize(checkpoint.Files[Trainer.StateFile]).LossScaler;
        Assert.NotNull(scaler);
        Assert.InRange(scaler.Scale, 1.0, LossScaler.InitialScale * 2);
    }

    [GpuFact]
    public async Task Run_Bf16MlpOnCuda_BeatsSeventyFivePercentTestAccuracy()
    {
        var result = await TrainAsync(Mlp("bf16", "cuda"));
        Assert.True(result.Test!.Classification!.Accuracy > 0.75, $"test accuracy {result.Test.Classification.Accuracy}");
    }

    [GpuFact]
    public async Task Run_CnnOnCuda_SetsCudnnBenchmarkAsTheSpecSays()
    {
        foreach (var benchmark in new[] { true, false })
        {
            var spec = JobSpecParser.Parse($$"""
                { "apiVersion": "trainingworkers/v1", "name": "cnn-cudnn",
                  "model": { "type": "cnn", "conv": [ { "filters": 8 }, { "filters": 16 } ], "hidden": [32] },
                  "data": { "train": "fashion-mnist", "train_limit": 3000, "test_limit": 1000 },
                  "training": { "epochs": 2, "batch_size": 64, "learning_rate": 0.003, "device": "cuda", "precision": "bf16", "cudnn_benchmark": {{(benchmark ? "true" : "false")}} } }
                """);
            var result = await TrainAsync(spec);
            Assert.Equal(benchmark, Torch.CudnnBenchmark);
            Assert.True(result.Test!.Classification!.Accuracy > 0.6, $"test accuracy {result.Test.Classification.Accuracy}");
        }
    }
}
