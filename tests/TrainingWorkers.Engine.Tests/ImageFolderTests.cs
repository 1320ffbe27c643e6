using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Training;
using TrainingWorkers.Tests.Shared;

namespace TrainingWorkers.Engine.Tests;

/// <summary>data.format image_folder on real images: Fashion-MNIST written as PNG and JPEG files, one folder per class.</summary>
public sealed class ImageFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-images-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Folder(string name, string split, int count, string format, int skip = 0) =>
        FashionImageFolder.Write(Path.Combine(_dir, name), split, count, format, skip);

    private async Task<TrainingResult> TrainAsync(JobSpec spec, DataSplits? data = null, ITrainingObserver? observer = null, CancellationToken cancel = default, Checkpoint? from = null, string store = "checkpoints")
    {
        data ??= DatasetLoader.Load(spec.Data, spec.Training.Seed);
        await using var sink = new JsonlMetricsSink(Path.Combine(_dir, "metrics.jsonl"));
        return await new Trainer(spec, data, new DirectoryCheckpointStore(Path.Combine(_dir, store)), sink, observer).RunAsync(cancel, from);
    }

    private static JobSpec Spec(string data, string model = """{ "type": "mlp", "hidden": [128] }""", string training = """{ "epochs": 3, "batch_size": 64, "threads": 2 }""") =>
        JobSpecParser.Parse($$"""{ "apiVersion": "trainingworkers/v1", "name": "images", "model": {{model}}, "data": {{data}}, "training": {{training}} }""");

    [Fact]
    public async Task Run_MlpOnPngFolders_ReachesTheIdxBarWithClassNamesFromFolders()
    {
        var train = Folder("train", "train", 6000, "png");
        var test = Folder("test", "t10k", 2000, "png");
        var result = await TrainAsync(Spec($$"""{ "format": "image_folder", "train": "{{train}}", "test": "{{test}}" }"""));

        // The bar of TrainerTests' MLP on the same 6,000 IDX examples.
        Assert.True(result.Test!.Classification!.Accuracy > 0.75, $"test accuracy {result.Test.Classification.Accuracy}");
        Assert.Equal(FashionImageFolder.Classes.Order(StringComparer.Ordinal), result.Test.Classification.PerClass.Select(p => p.Name));
        Assert.All(result.History, h => Assert.True(h.Metrics[MetricNames.ImagesPerSecond] > 0));
        Assert.True(result.Input!.ImagesDecoded >= 3 * 5400 + 2000, $"{result.Input.ImagesDecoded} images decoded");
        Assert.True(result.LoaderThreads >= 1);
    }

    [Fact]
    public async Task Run_CnnOnJpegFoldersWithAugmentation_Learns()
    {
        var train = Folder("train", "train", 3000, "jpg");
        var validation = Folder("validation", "train", 500, "jpg", skip: 3000);
        var spec = Spec($$"""
            { "format": "image_folder", "train": "{{train}}", "validation": "{{validation}}", "image_size": 24,
              "augment": { "random_resized_crop": { "scale": [0.7, 1.0] }, "horizontal_flip": true }, "loader_threads": 2 }
            """, """{ "type": "cnn", "conv": [ { "filters": 8 }, { "filters": 16 } ], "hidden": [32] }""",
            """{ "epochs": 2, "batch_size": 64, "learning_rate": 0.003, "threads": 2 }""");
        var result = await TrainAsync(spec);

        Assert.Equal([1, 24, 24], DatasetLoader.Load(spec.Data, 1).Train.Shape);
        Assert.True(result.Validation!.Classification!.Accuracy > 0.6, $"validation accuracy {result.Validation.Classification.Accuracy}");
    }

    [Fact]
    public async Task Resume_AugmentedImagesFromAMidEpochCheckpoint_EndsBitIdenticalToAnUninterruptedRun()
    {
        var train = Folder("train", "train", 600, "png");
        var spec = Spec($$"""
            { "format": "image_folder", "train": "{{train}}", "augment": { "random_resized_crop": true, "horizontal_flip": true }, "loader_threads": 2 }
            """, """{ "type": "mlp", "hidden": [32] }""", """{ "epochs": 2, "batch_size": 50, "threads": 2 }""") with
        { Checkpointing = new CheckpointSpec { EverySteps = 4 }, EarlyStopping = null };
        var whole = await TrainAsync(spec, store: "a");
        using (var cancel = new CancellationTokenSource())
        {
            var stopped = await TrainAsync(spec, observer: new CancelAtStep(cancel, epoch: 2, step: 5), cancel: cancel.Token, store: "b");
            Assert.Equal(StopReason.Cancelled, stopped.StopReason);
        }

        var newest = await new DirectoryCheckpointStore(Path.Combine(_dir, "b")).ReadNewestGoodAsync(_ => { }, CancellationToken.None);
        var resumed = await TrainAsync(spec, from: newest, store: "b");

        Assert.Equal(whole.ModelState, resumed.ModelState);
    }

    [Fact]
    public void Load_BadImages_StopTheRunNamingTheFile_OrAreSkippedAndCounted()
    {
        var train = Folder("train", "train", 200, "jpg");
        var truncated = Directory.GetFiles(Path.Combine(train, "Bag"))[0];
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..200]);
        var text = Path.Combine(train, "Coat", "notes.png");
        File.WriteAllText(text, "not an image");
        var spec = Spec($$"""{ "format": "image_folder", "train": "{{train}}", "validation_split": 0 }""").Data;

        // The normalization statistics decode a sample before training starts: a bad file there stops the load.
        var early = Assert.Throws<JobInputException>(() => DatasetLoader.Load(spec, 1));
        Assert.Contains(early.File, new[] { truncated, text });
        // Without them, each bad file stops the run when it is read.
        var data = DatasetLoader.Load(spec with { Normalize = false }, 1);
        var row = new float[data.Train.FeatureSize];
        var errors = Enumerable.Range(0, data.Train.Count).Select(i => Record.Exception(() => data.Train.CopyRow(i, row))).OfType<JobInputException>().ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.File == truncated && e.Message.Contains("is truncated", StringComparison.Ordinal) && e.Field == "data.train");
        Assert.Contains(errors, e => e.File == text && e.Message.Contains("is not a PNG or JPEG image", StringComparison.Ordinal));

        var skipping = DatasetLoader.Load(spec with { BadImages = BadImagePolicy.Skip }, 1);
        Assert.Equal(data.Train.Count - 2, skipping.Train.Count);
        Assert.Equal(2, skipping.Input.ImagesSkipped);
    }

    [Fact]
    public void Load_EmptyClassFolder_IsAnErrorNamingIt_UnlessSkipping()
    {
        var train = Folder("train", "train", 100, "png");
        var empty = Path.Combine(train, "Empty");
        Directory.CreateDirectory(empty);
        var spec = Spec($$"""{ "format": "image_folder", "train": "{{train}}" }""").Data;

        var e = Assert.Throws<JobInputException>(() => DatasetLoader.Load(spec, 1));
        Assert.Equal(empty, e.File);
        Assert.Equal(11, DatasetLoader.Load(spec with { BadImages = BadImagePolicy.Skip }, 1).Outputs);
    }

    [Fact]
    public void Load_TestFolderWithAClassTrainingLacks_IsRefused()
    {
        var train = Folder("train", "train", 100, "png");
        var test = Folder("test", "t10k", 50, "png");
        Directory.CreateDirectory(Path.Combine(test, "Hat"));
        File.Copy(Directory.GetFiles(Path.Combine(test, "Bag"))[0], Path.Combine(test, "Hat", "x.png"));
        var e = Assert.Throws<JobInputException>(() => DatasetLoader.Load(Spec($$"""{ "format": "image_folder", "train": "{{train}}", "test": "{{test}}" }""").Data, 1));
        Assert.Equal("data.test", e.Field);
        Assert.Contains("'Hat'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Augmentation_IsAPureFunctionOfItsSeed_AndEvaluationIsDeterministic()
    {
        var train = Folder("train", "train", 100, "png");
        var data = DatasetLoader.Load(Spec($$"""{ "format": "image_folder", "train": "{{train}}", "validation_split": 0, "augment": { "random_resized_crop": true, "horizontal_flip": true } }""").Data, 1).Train;
        float[] Row(ulong? seed)
        {
            var row = new float[data.FeatureSize];
            data.CopyRow(3, row, seed);
            return row;
        }

        Assert.Equal(Row(7), Row(7));
        Assert.NotEqual(Row(7), Row(8));
        Assert.Equal(Row(null), Row(null));
        Assert.Equal(0, Row(null).Average(), 0.5);
    }
}
