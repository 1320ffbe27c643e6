using System.Diagnostics;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Benchmarks;

/// <summary>Per-epoch training seconds of one timed run, and the model's parameter count.</summary>
internal sealed record EpochTimes(IReadOnlyList<double> Seconds, long Parameters);

/// <summary>
/// Times our engine in-process, through the real <see cref="Trainer"/>: an observer notes the clock
/// when an epoch starts and when its last step returns, so the time covers the shuffle, the batch
/// copies, the learning-rate updates and the steps, and leaves out the validation pass and the
/// checkpoint that follow (the report's per-epoch `seconds` include both, which PyTorch's loop has not).
/// </summary>
internal static class EngineTiming
{
    public static async Task<EpochTimes> RunAsync(JobSpec spec, DataSplits data)
    {
        var scratch = Directory.CreateTempSubdirectory("tw-bench-");
        try
        {
            var clock = new EpochClock();
            await using var sink = new DiscardingSink();
            var result = await new Trainer(spec, data, new DirectoryCheckpointStore(scratch.FullName), sink, clock)
                .RunAsync(CancellationToken.None).ConfigureAwait(false);
            if (clock.Seconds.Count != spec.Training.Epochs) throw new InvalidOperationException($"{spec.Name}: {clock.Seconds.Count} of {spec.Training.Epochs} epochs ran ({result.StopReason})");
            return new EpochTimes(clock.Seconds, result.Parameters);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>A fingerprint of the first 1000 training examples and their order, as torch_peer.py computes it.</summary>
    public static double Checksum(Dataset train)
    {
        var n = Math.Min(1000, train.Count);
        double sum = 0;
        foreach (var v in train.Features.AsSpan(0, n * train.FeatureSize)) sum += Math.Abs(v);
        for (var i = 0; i < n; i++) sum += train.Labels![i] * (i + 1.0);
        return sum;
    }

    private sealed class EpochClock : ITrainingObserver
    {
        private long _start;

        public List<double> Seconds { get; } = [];

        public void EpochStarted(int epoch, int epochs, int steps) => _start = Stopwatch.GetTimestamp();

        public void StepCompleted(int epoch, int step, int steps, double loss)
        {
            if (step == steps) Seconds.Add(Stopwatch.GetElapsedTime(_start).TotalSeconds);
        }

        public void EpochCompleted(EpochSummary summary) { }

        public void CheckpointWritten(string id, string location) { }
    }

    /// <summary>Metrics are not what is measured here.</summary>
    private sealed class DiscardingSink : IMetricsSink
    {
        public void Publish(IReadOnlyList<MetricPoint> points) { }

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
