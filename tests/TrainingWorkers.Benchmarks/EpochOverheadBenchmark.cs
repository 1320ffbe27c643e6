using System.Diagnostics;
using System.Globalization;
using TrainingWorkers.Engine;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Benchmarks;

/// <summary>
/// The epoch loop's overhead as one ratio, measured in one run: the time of an epoch (start to last step, as
/// <see cref="EngineTiming"/> takes it) over the time of as many isolated steps (the same fixed batch stepped again
/// and again, nothing around it). Runs with batches prepared on the training thread (data.loader_threads 0, how
/// the loop worked before the prefetching pipeline) alternate with runs with one loader thread (the default).
/// </summary>
internal sealed class EpochOverheadBenchmark(BenchEnvironment env, BenchOptions options)
{
    private const int Warmup = 20;
    private const int Steps = 200;

    public async Task RunAsync(TextTable table, Verdicts verdicts)
    {
        var job = BenchJob.FromExample(env.Example("fashion-mlp.json"))
            .With("training.threads", options.Threads)
            .With("training.epochs", options.Epochs)
            .With("data.use_test_set", false)
            .With("early_stopping", null)
            .With("checkpointing.every_epochs", options.Epochs);
        var data = DatasetLoader.Load(job.Spec.Data, job.Spec.Training.Seed);
        var steps = (data.Train.Count + job.Spec.Training.BatchSize - 1) / job.Spec.Training.BatchSize;
        var ratios = new Dictionary<int, List<double>> { [0] = [], [1] = [] };
        var epochs = new Dictionary<int, List<double>> { [0] = [], [1] = [] };
        var isolated = new List<double>();
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var threads in new[] { 0, 1 })
            {
                var spec = job.With("data.loader_threads", threads).Spec;
                var step = await Task.Factory.StartNew(() => IsolatedStepSeconds(spec, data), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                isolated.Add(step);
                var times = await EngineTiming.RunAsync(spec, data).ConfigureAwait(false);
                epochs[threads].AddRange(times.Seconds);
                ratios[threads].AddRange(times.Seconds.Select(s => s / (step * steps)));
                Console.Error.WriteLine($"[epoch overhead] run {run}, loader_threads {threads}: isolated step {step * 1000:F2} ms, epochs {string.Join(", ", times.Seconds.Select(s => s.ToString("F2", CultureInfo.InvariantCulture)))} s");
            }
        }

        foreach (var threads in new[] { 0, 1 })
        {
            var ratio = Stats.Of(ratios[threads]);
            table.Add(threads == 0 ? "0 (batches on the training thread: before)" : "1 (prefetching: after)", Stats.Of(epochs[threads]).Format("F2"),
                (Stats.Of(isolated).Median * steps).ToString("F2", CultureInfo.InvariantCulture), ratio.Format("F3"));
        }

        var met = Stats.Of(ratios[1]).Median <= 1.10;
        table.Add("target", "", "", "<= 1.10 (median, prefetching): " + (met ? "met" : "NOT MET"));
        verdicts.Target(met);
    }

    // The median seconds of one step on a fixed batch, after a warm-up.
    private double IsolatedStepSeconds(Core.Spec.JobSpec spec, DataSplits data)
    {
        Torch.Initialize(options.Threads);
        Torch.ManualSeed(spec.Training.Seed);
        var batch = spec.Training.BatchSize;
        using var model = Model.Create(ModelBuilder.Build(spec.Model, data.Train.Shape, data.Outputs, LossKind.CrossEntropy), "cpu");
        using var optimizer = Optimizer.Create(model, spec.Training);
        var x = data.Train.Features.AsSpan(0, batch * data.Train.FeatureSize).ToArray();
        var y = data.Train.Labels!.AsSpan(0, batch).ToArray();
        var times = new List<double>();
        for (var i = 0; i < Warmup + Steps; i++)
        {
            var start = Stopwatch.GetTimestamp();
            model.TrainStep(optimizer, x, y, batch);
            if (i >= Warmup) times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return Stats.Of(times).Median;
    }
}
