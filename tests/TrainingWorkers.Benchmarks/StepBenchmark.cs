using System.Diagnostics;
using System.Globalization;
using TrainingWorkers.Engine;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Benchmarks;

/// <summary>
/// One training step in isolation: the same fixed batch, stepped again and again through our
/// Model.TrainStep and through torch_peer.py's step, with nothing else around it (no shuffle, no
/// batch gathering, no loop). The minimum over many short samples is robust to other load on the
/// machine, so this tells whether a gap in epoch time is the step itself or the loop around it.
/// </summary>
internal sealed class StepBenchmark(BenchEnvironment env, BenchOptions options)
{
    private const int Warmup = 20;
    private const int Steps = 200;

    public async Task RunAsync(string example, TextTable table)
    {
        var job = BenchJob.FromExample(env.Example(example))
            .With("training.threads", options.Threads)
            .With("training.epochs", 1)
            .With("data.train_limit", 1000)
            .With("data.use_test_set", false);
        var spec = job.Spec;
        var data = DatasetLoader.Load(spec.Data, spec.Training.Seed);
        var layers = BenchJob.Layers(spec, data);
        var batch = spec.Training.BatchSize;
        // On a thread of its own, as the Trainer runs (one OpenMP team, as in the peer's one Python thread).
        var ours = await Task.Factory.StartNew(() => Ours(spec, data, batch), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        var (peer, _) = await TorchPeer.RunAsync(env, "step", job.With("training.epochs", Warmup + Steps).Spec, layers).ConfigureAwait(false);
        var theirs = peer.EpochSeconds.Skip(Warmup).Select(s => s * 1000).ToList();
        var (o, t) = (Stats.Of(ours), Stats.Of(theirs));
        table.Add(job.Name, batch.ToString(CultureInfo.InvariantCulture), o.Format("F2"), t.Format("F2"),
            (t.Min / o.Min).ToString("F3", CultureInfo.InvariantCulture), (t.Median / o.Median).ToString("F3", CultureInfo.InvariantCulture));
    }

    private List<double> Ours(Core.Spec.JobSpec spec, DataSplits data, int batch)
    {
        Torch.Initialize(options.Threads);
        Torch.ManualSeed(spec.Training.Seed);
        using var model = Model.Create(ModelBuilder.Build(spec.Model, data.Train.Shape, data.Outputs, LossKind.CrossEntropy), "cpu");
        using var optimizer = Optimizer.Create(model, spec.Training);
        var x = data.Train.Features.AsSpan(0, batch * data.Train.FeatureSize).ToArray();
        var y = data.Train.Labels!.AsSpan(0, batch).ToArray();
        var ours = new List<double>();
        for (var i = 0; i < Warmup + Steps; i++)
        {
            var start = Stopwatch.GetTimestamp();
            model.TrainStep(optimizer, x, y, batch);
            if (i >= Warmup) ours.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return ours;
    }
}
