using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Data.Shards;
using TrainingWorkers.Engine.Training;
using TrainingWorkers.Tests.Shared;

namespace TrainingWorkers.Engine.Tests;

/// <summary>data.format webdataset: Fashion-MNIST PNGs packed into tar shards, streamed through a shuffle buffer.</summary>
public sealed class WebDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-shards-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Pack(string name, string split, int count, int perShard, int skip = 0)
    {
        var folder = FashionImageFolder.Write(Path.Combine(_dir, name + "-images"), split, count, "png", skip);
        var shards = Path.Combine(_dir, name);
        ShardPacker.Pack(folder, shards, perShard, seed: 1);
        return shards;
    }

    private static JobSpec Spec(string data, string training = """{ "epochs": 2, "batch_size": 64, "threads": 2 }""") =>
        JobSpecParser.Parse($$"""{ "apiVersion": "trainingworkers/v1", "name": "shards", "model": { "type": "mlp", "hidden": [128] }, "data": {{data}}, "training": {{training}} }""");

    private async Task<TrainingResult> TrainAsync(JobSpec spec, DataSplits data, string store, ITrainingObserver? observer = null, CancellationToken cancel = default, Checkpoint? from = null)
    {
        await using var sink = new JsonlMetricsSink(Path.Combine(_dir, "metrics.jsonl"));
        return await new Trainer(spec, data, new DirectoryCheckpointStore(Path.Combine(_dir, store)), sink, observer).RunAsync(cancel, from);
    }

    [Fact]
    public async Task Run_MlpOnStreamedShards_LearnsAndSeesEverySampleOncePerEpoch()
    {
        var train = Pack("train", "train", 3000, perShard: 250);
        var validation = Pack("validation", "train", 500, perShard: 250, skip: 3000);
        var spec = Spec($$"""{ "format": "webdataset", "train": "{{train}}", "validation": "{{validation}}", "shuffle_buffer": 500 }""");
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        var result = await TrainAsync(spec, data, "checkpoints");

        Assert.Equal(12, new ShardManifestReader(train).Manifest.Shards.Count);
        Assert.True(result.Validation!.Classification!.Accuracy > 0.7, $"validation accuracy {result.Validation.Classification.Accuracy}");
        // 2 epochs of 3,000 streamed samples, and the 500 validation samples after each epoch and for the report.
        Assert.Equal(2 * 3000 + 3 * 500, result.Input!.ImagesDecoded);
    }

    [Fact]
    public void Stream_IsTheSameForAnEpochOnEveryRun_DiffersAcrossEpochs_AndRanksReadDisjointShards()
    {
        var train = Pack("train", "train", 600, perShard: 50);
        var data = DatasetLoader.Load(Spec($$"""{ "format": "webdataset", "train": "{{train}}", "shuffle_buffer": 100, "normalize": false }""").Data, 1).Train;
        var stream = (IEpochStream)data.Reader!;
        long[] Epoch(int epoch, int rank = 0, int world = 1, int from = 0)
        {
            var (steps, positions) = stream.Start(epoch, from, 10, rank, world);
            var row = new float[data.FeatureSize];
            var labels = new List<long>();
            var sums = new List<long>();
            for (var p = from; p < positions; p++)
            {
                data.CopyRow(p, row);
                sums.Add((long)(row.Sum() * 1000) * 16 + data.Labels![p]);
            }

            stream.Stop();
            return [steps, .. sums];
        }

        var first = Epoch(0);
        Assert.Equal(60, first[0]);
        Assert.Equal(first, Epoch(0));
        Assert.NotEqual(first, Epoch(1));
        Assert.Equal(first[101..], Epoch(0, from: 100)[1..]);
        var rank0 = Epoch(0, 0, 2);
        var rank1 = Epoch(0, 1, 2);
        Assert.Equal(30, rank0[0]);
        Assert.Equal(rank0[0], rank1[0]);
        // Between them the two ranks read every sample once: each its own shards.
        Assert.Equal(first[1..].Order(), rank0[1..].Concat(rank1[1..]).Order());
    }

    [Fact]
    public async Task Resume_MidEpochOfAStream_EndsBitIdenticalToAnUninterruptedRun()
    {
        var train = Pack("train", "train", 800, perShard: 100);
        var spec = Spec($$"""{ "format": "webdataset", "train": "{{train}}", "shuffle_buffer": 300, "augment": { "horizontal_flip": true } }""",
            """{ "epochs": 2, "batch_size": 50, "threads": 2 }""") with { Checkpointing = new CheckpointSpec { EverySteps = 6 }, EarlyStopping = null };
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        var whole = await TrainAsync(spec, data, "a");
        using (var cancel = new CancellationTokenSource())
        {
            await TrainAsync(spec, data, "b", new CancelAtStep(cancel, epoch: 2, step: 7), cancel.Token);
        }

        var newest = await new DirectoryCheckpointStore(Path.Combine(_dir, "b")).ReadNewestGoodAsync(_ => { }, CancellationToken.None);
        Assert.Equal(16 + 7, newest!.Manifest.Step);
        Assert.Contains("\"StreamPosition\":350", System.Text.Encoding.UTF8.GetString(newest.Files["trainer.json"]), StringComparison.Ordinal);
        var resumed = await TrainAsync(spec, data, "b", from: newest);

        Assert.Equal(whole.ModelState, resumed.ModelState);
    }

    [Fact]
    public void Pack_AnImageThatDoesNotDecode_IsRefusedNamingIt()
    {
        var folder = FashionImageFolder.Write(Path.Combine(_dir, "images"), "train", 100, "jpg");
        var bad = Directory.GetFiles(Path.Combine(folder, "Trouser"))[0];
        File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..100]);
        var e = Record.Exception(() => ShardPacker.Pack(folder, Path.Combine(_dir, "out"), 50, 1));
        var input = Assert.IsType<JobInputException>(e is AggregateException a ? a.InnerExceptions[0] : e);
        Assert.Equal(bad, input.File);
    }

    [Fact]
    public void Load_NotAShardDirectory_NamesTheManifest()
    {
        var e = Assert.Throws<JobInputException>(() => DatasetLoader.Load(Spec($$"""{ "format": "webdataset", "train": "{{_dir}}" }""").Data, 1));
        Assert.Equal(Path.Combine(_dir, "dataset.json"), e.File);
    }

    private sealed class ShardManifestReader(string directory)
    {
        public ShardManifest Manifest { get; } = ShardManifest.Parse(File.ReadAllBytes(Path.Combine(directory, ShardManifest.FileName)))!;
    }
}
