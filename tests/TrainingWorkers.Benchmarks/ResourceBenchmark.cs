using System.Globalization;
using TrainingWorkers.Engine.Data;

namespace TrainingWorkers.Benchmarks;

/// <summary>Peak memory of `tw run` against PyTorch on the same job, and `tw run`'s start-up to its first step.</summary>
internal sealed class ResourceBenchmark(BenchEnvironment env, BenchOptions options)
{
    /// <summary>Peak RSS target: ours no more than PyTorch's + 20 %.</summary>
    public const double MemoryRatioTarget = 1.20;
    /// <summary>Start-up target, in seconds.</summary>
    public const double StartupTarget = 2.0;

    /// <summary>
    /// One epoch of the example job, end to end, as a user runs it: `tw run` (data loading, training,
    /// validation, test evaluation, checkpoint, report) against torch_peer.py's "job" mode, both under
    /// /usr/bin/time, whose %M is the kernel's peak resident set size of the process.
    /// </summary>
    public async Task MemoryAsync(string example, int? trainLimit, TextTable table, Verdicts verdicts)
    {
        var job = BenchJob.FromExample(env.Example(example))
            .With("training.epochs", 1)
            .With("training.threads", options.Threads)
            .With("data.train_limit", trainLimit);
        var spec = job.Spec;
        var layers = BenchJob.Layers(spec, DatasetLoader.Load(spec.Data, spec.Training.Seed));
        var ours = await TwRun.RunAsync(env, job, measureRss: true).ConfigureAwait(false);
        var (peer, theirs) = await TorchPeer.RunAsync(env, "job", spec, layers, measureRss: true).ConfigureAwait(false);
        var ratio = ours.Process.PeakRssMiB!.Value / theirs.PeakRssMiB!.Value;
        var met = ratio <= MemoryRatioTarget;
        table.Add($"{job.Name}, 1 epoch, {(trainLimit is { } n ? $"first {n:N0}" : "all 60,000")} train + 10,000 test",
            $"{ours.Process.PeakRssMiB:F0}", $"{theirs.PeakRssMiB:F0}", ratio.ToString("F2", CultureInfo.InvariantCulture),
            $"<= {MemoryRatioTarget:F2}", met ? "met" : "NOT MET");
        verdicts.Target(met);
        verdicts.Check(double.IsFinite(ratio), $"{job.Name}: no peak RSS was measured");
        Console.Error.WriteLine($"[{job.Name}] peak RSS tw {ours.Process.PeakRssMiB:F0} MiB, PyTorch {theirs.PeakRssMiB:F0} MiB (test accuracy {ours.TestAccuracy:F3} / {peer.TestAccuracy:F3})");
    }

    /// <summary>
    /// A one-step job (the example's first 128 examples: 115 to train, 13 to validate; 100 test
    /// examples): the time from just before the process starts to the first epoch's metrics in
    /// metrics.jsonl. That epoch is exactly one step plus a 13-example validation, so the figure
    /// is an upper bound on start-up to first step; it includes .NET start-up, JIT, spec parsing,
    /// reading and normalizing the gzipped IDX files, loading libtorch and building the model.
    /// </summary>
    public async Task StartupAsync(string example, TextTable table, Verdicts verdicts)
    {
        var job = BenchJob.FromExample(env.Example(example))
            .With("training.epochs", 1)
            .With("training.threads", options.Threads)
            .With("data.train_limit", 128)
            .With("data.test_limit", 100);
        var firstEpoch = new List<double>();
        var wall = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            var result = await TwRun.RunAsync(env, job).ConfigureAwait(false);
            var end = result.FirstEpochEndUtc ?? throw new InvalidDataException($"{job.Name}: metrics.jsonl has no epoch 1");
            firstEpoch.Add((end - result.Process.StartedUtc).TotalSeconds);
            wall.Add(result.Process.WallSeconds);
        }

        var first = Stats.Of(firstEpoch);
        var met = first.Median < StartupTarget;
        table.Add(job.Name, first.Format("F2"), Stats.Of(wall).Format("F2"), $"< {StartupTarget:F1} s", met ? "met" : "NOT MET");
        verdicts.Target(met);
    }
}
