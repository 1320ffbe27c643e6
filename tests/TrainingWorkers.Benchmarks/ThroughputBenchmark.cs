using System.Globalization;
using TrainingWorkers.Engine.Data;

namespace TrainingWorkers.Benchmarks;

/// <summary>
/// Per-epoch training time of an example model, ours (in-process, through the Trainer) against
/// torch_peer.py, in alternating runs so that load from other work on the machine hits both alike.
/// </summary>
internal sealed class ThroughputBenchmark(BenchEnvironment env, BenchOptions options)
{
    /// <summary>Runs one example and adds its rows; returns false when a check (same model, same data) failed.</summary>
    public async Task<bool> RunAsync(string example, int? trainLimit, TextTable timings, TextTable ratios, Verdicts verdicts)
    {
        var job = BenchJob.FromExample(env.Example(example))
            .With("training.epochs", options.Epochs)
            .With("training.threads", options.Threads)
            .With("data.train_limit", trainLimit)
            .With("data.use_test_set", false)
            .With("early_stopping", null)
            .With("checkpointing.every_epochs", options.Epochs);
        var spec = job.Spec;
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        var layers = BenchJob.Layers(spec, data);
        var checksum = EngineTiming.Checksum(data.Train);
        Console.Error.WriteLine($"[{job.Name}] {data.Train.Count} training examples, layers: {layers}");

        var ours = new List<double>();
        var theirs = new List<double>();
        var runRatios = new List<double>();
        long ourParameters = 0;
        PeerReport? peer = null;
        for (var run = 1; run <= options.Runs; run++)
        {
            var mine = await EngineTiming.RunAsync(spec, data).ConfigureAwait(false);
            (peer, _) = await TorchPeer.RunAsync(env, "timing", spec, layers).ConfigureAwait(false);
            ourParameters = mine.Parameters;
            ours.AddRange(mine.Seconds);
            theirs.AddRange(peer.EpochSeconds);
            runRatios.Add(Stats.Of(peer.EpochSeconds).Median / Stats.Of(mine.Seconds).Median);
            Console.Error.WriteLine($"[{job.Name}] run {run}/{options.Runs}: ours {Seconds(mine.Seconds)} s, PyTorch {Seconds(peer.EpochSeconds)} s per epoch");
            if (mine.Parameters != peer.Parameters || peer.Threads != options.Threads || Math.Abs(peer.Checksum - checksum) > 1e-6 * Math.Abs(checksum)) break;
        }

        var sameModel = ourParameters == peer!.Parameters;
        var sameData = Math.Abs(peer.Checksum - checksum) <= 1e-6 * Math.Abs(checksum);
        var sameThreads = peer.Threads == options.Threads;
        var samples = data.Train.Count;
        var mineStats = Stats.Of(ours);
        var theirStats = Stats.Of(theirs);
        timings.Add(job.Name, "TrainingWorkers", Count(ourParameters), Count(samples), mineStats.Format("F2"), Count(samples / mineStats.Median));
        timings.Add(job.Name, $"PyTorch {peer.TorchVersion}", Count(peer.Parameters), Count(samples), theirStats.Format("F2"), Count(samples / theirStats.Median));
        var ratio = Stats.Of(runRatios);
        var met = ratio.Median >= 1.0;
        ratios.Add(job.Name, $"{options.Runs} x {options.Epochs}", ratio.Format("F3"), (theirStats.Median / mineStats.Median).ToString("F3", CultureInfo.InvariantCulture),
            (theirStats.Min / mineStats.Min).ToString("F3", CultureInfo.InvariantCulture), ">= 1.0", met ? "met" : "NOT MET");
        verdicts.Target(met);
        verdicts.Check(sameModel, $"{job.Name}: parameter counts differ (ours {ourParameters}, PyTorch {peer.Parameters})");
        verdicts.Check(sameData, $"{job.Name}: the peer's training data differs (checksum ours {checksum:R}, PyTorch {peer.Checksum:R})");
        verdicts.Check(sameThreads, $"{job.Name}: PyTorch ran {peer.Threads} threads, not {options.Threads}");
        return sameModel && sameData && sameThreads;
    }

    private static string Seconds(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));

    private static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
