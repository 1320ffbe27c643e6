using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Tests.Distributed;

[Collection(TorchGlobalState.Name)]
public sealed class AccumulationTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-accumulate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<float[]> TrainAsync(int batchSize, int accumulation)
    {
        // 1000 examples: 8 optimizer steps of 128, the last of 104 (a short last group when accumulating).
        var spec = JobSpecParser.Parse($$"""
            { "apiVersion": "trainingworkers/v1", "name": "acc{{accumulation}}",
              "model": { "type": "mlp", "hidden": [32], "dropout": 0 },
              "data": { "train": "fashion-mnist", "train_limit": 1000, "validation_split": 0, "use_test_set": false },
              "training": { "epochs": 1, "batch_size": {{batchSize}}, "gradient_accumulation_steps": {{accumulation}}, "threads": 2, "seed": 3 } }
            """);
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        await using var sink = new NullMetricsSink();
        var store = new DirectoryCheckpointStore(Path.Combine(_dir, $"checkpoints-{accumulation}"));
        var result = await new Trainer(spec, data, store, sink).RunAsync(CancellationToken.None);
        using var model = Model.Create(result.Model, "cpu");
        model.LoadState(result.ModelState);
        return model.CopyParameters();
    }

    [Fact]
    public async Task Trainer_FourMicroBatchesOf32_MatchOneBatchOf128()
    {
        var whole = await TrainAsync(128, 1);
        var accumulated = await TrainAsync(32, 4);
        var unaccumulated = await TrainAsync(32, 1);

        Assert.True(whole.Zip(accumulated, (a, b) => Math.Abs(a - b)).Max() < 1e-5);
        // Without accumulation batches of 32 take 4x the steps and end elsewhere.
        Assert.True(whole.Zip(unaccumulated, (a, b) => Math.Abs(a - b)).Max() > 1e-3);
    }
}
