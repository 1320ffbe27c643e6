using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Benchmarks;

/// <summary>
/// Our image pipeline against torchvision 0.14's ImageFolder + DataLoader on one image folder (Fashion-MNIST written
/// as JPEG at 4x its size): the same transforms (RandomResizedCrop, RandomHorizontalFlip, normalization), batch size
/// and worker count. Measures images per second decoded and augmented (an epoch of batches, nothing else), and the
/// epoch time of the same ResNet trained on those batches. Runs alternate so other load hits both sides.
/// </summary>
internal sealed class InputPipelineBenchmark(BenchOptions options)
{
    private const int Images = 2000;
    private const int Size = 64;
    private const int Batch = 64;
    private static readonly double[] Mean = [0.29, 0.29, 0.29];
    private static readonly double[] Std = [0.33, 0.33, 0.33];

    public async Task RunAsync(TextTable loaders, TextTable epochs)
    {
        var folder = ImageFolderFixture.Create(Images);
        var workers = options.Threads;
        var spec = Spec(folder, workers);
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        var (ours, theirs, ratios) = (new List<double>(), new List<double>(), new List<double>());
        for (var run = 1; run <= options.Runs; run++)
        {
            var mine = await Task.Factory.StartNew(() => OurImagesPerSecond(spec, data), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            var peer = await PeerAsync("loader", folder, workers, epochs: 1, layers: "").ConfigureAwait(false);
            var peerRate = Images / peer.Seconds[0];
            (ours, theirs, ratios) = ([.. ours, mine], [.. theirs, peerRate], [.. ratios, mine / peerRate]);
            Console.Error.WriteLine($"[input] run {run}: ours {mine:F0} images/s, torchvision {peerRate:F0} images/s");
        }

        loaders.Add($"{Images} JPEG 112x112 -> {Size}x{Size}x3, batch {Batch}, {workers} workers", Stats.Of(ours).Format("F0"), Stats.Of(theirs).Format("F0"), Stats.Of(ratios).Format("F2"));

        var layers = BenchJob.Layers(spec, data);
        var (ourEpochs, theirEpochs, epochRatios) = (new List<double>(), new List<double>(), new List<double>());
        for (var run = 1; run <= options.Runs; run++)
        {
            var mine = (await EngineTiming.RunAsync(spec, data).ConfigureAwait(false)).Seconds;
            var peer = await PeerAsync("train", folder, workers, options.Epochs, layers).ConfigureAwait(false);
            (ourEpochs, theirEpochs) = ([.. ourEpochs, .. mine], [.. theirEpochs, .. peer.Seconds]);
            epochRatios.Add(Stats.Of(peer.Seconds).Median / Stats.Of(mine).Median);
            Console.Error.WriteLine($"[input] run {run}: ResNet epochs ours {string.Join(", ", mine.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))} s, PyTorch {string.Join(", ", peer.Seconds.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))} s");
        }

        epochs.Add($"ResNet [16, 32] x 1 block, {Images} images {Size}x{Size}x3, {options.Threads} threads", Stats.Of(ourEpochs).Format("F1"), Stats.Of(theirEpochs).Format("F1"), Stats.Of(epochRatios).Format("F2"));
    }

    private JobSpec Spec(string folder, int workers) => JobSpecParser.Parse(new JsonObject
    {
        ["apiVersion"] = JobSpec.ApiVersionV1,
        ["name"] = "input-bench",
        ["model"] = new JsonObject { ["type"] = "resnet", ["stages"] = new JsonArray(16, 32), ["blocks_per_stage"] = 1 },
        ["data"] = new JsonObject
        {
            ["format"] = "image_folder", ["train"] = folder, ["validation_split"] = 0, ["image_size"] = Size, ["channels"] = 3,
            ["mean"] = new JsonArray(Mean.Select(v => (JsonNode)v).ToArray()), ["std"] = new JsonArray(Std.Select(v => (JsonNode)v).ToArray()),
            ["augment"] = new JsonObject { ["random_resized_crop"] = true, ["horizontal_flip"] = true }, ["loader_threads"] = workers,
        },
        ["training"] = new JsonObject { ["epochs"] = options.Epochs, ["batch_size"] = Batch, ["threads"] = options.Threads },
        ["early_stopping"] = new JsonObject { ["enabled"] = false },
        ["checkpointing"] = new JsonObject { ["every_epochs"] = options.Epochs },
    }.ToJsonString());

    // An epoch of batches through the training pipeline (loader threads, prefetch), taken as fast as they come.
    private static double OurImagesPerSecond(JobSpec spec, DataSplits data)
    {
        var train = data.Train;
        var order = Shuffle.Permutation(train.Count, 1, 0);
        var steps = (train.Count + Batch - 1) / Batch;
        var clock = Stopwatch.StartNew();
        using var pipeline = new BatchPipeline(train, order, Batch, 0, steps, spec.Data.LoaderThreads!.Value, spec.Data.Prefetch + 1,
            i => (ulong)i * 0x9E3779B97F4A7C15UL, data.Input);
        for (var s = 0; s < steps; s++) pipeline.Next(s);
        return train.Count / clock.Elapsed.TotalSeconds;
    }

    private async Task<(List<double> Seconds, long Parameters)> PeerAsync(string mode, string folder, int workers, int epochs, string layers)
    {
        var args = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "input_peer.py"), mode, "--folder", folder, "--size", Invariant(Size), "--workers", Invariant(workers),
            "--threads", Invariant(options.Threads), "--batch-size", Invariant(Batch), "--epochs", Invariant(epochs), "--layers", layers,
        };
        args.Add("--mean");
        args.AddRange(Mean.Select(Invariant));
        args.Add("--std");
        args.AddRange(Std.Select(Invariant));
        var process = (await ChildProcess.RunAsync(BenchEnvironment.Python, args, false).ConfigureAwait(false)).EnsureSuccess("input_peer.py");
        var json = JsonNode.Parse(process.Stdout.Trim().Split('\n')[^1])!.AsObject();
        return (json["epoch_seconds"]!.AsArray().Select(v => v!.GetValue<double>()).ToList(), json["parameters"]!.GetValue<long>());
    }

    private static string Invariant<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
