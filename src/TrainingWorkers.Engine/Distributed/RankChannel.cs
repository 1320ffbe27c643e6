using System.Diagnostics;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>A rank's side of the channel: writes <see cref="RankEvent"/> lines and observes the trainer.</summary>
public sealed class RankChannel(TextWriter output, int rank) : ITrainingObserver
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);
    private readonly Lock _gate = new();
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private bool _stepSent;

    public void Send(RankEvent e)
    {
        var line = (e with { Rank = rank }).ToJsonLine();
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>Reports the failure and returns the exit code the rank ends with.</summary>
    public int Failed(JobFailure failure)
    {
        Send(new RankEvent { Event = RankEventKind.Failed, Failure = failure });
        return failure.Kind.ExitCode();
    }

    public void EpochStarted(int epoch, int epochs, int steps) => Send(new RankEvent { Event = RankEventKind.Progress, Epoch = epoch, Epochs = epochs, Step = 0, Steps = steps });

    public void StepCompleted(int epoch, int step, int steps, double loss)
    {
        // The first step always goes out: launchers time the start-up by it.
        if (_stepSent && _sinceProgress.Elapsed < ProgressInterval && step < steps) return;
        _stepSent = true;
        _sinceProgress.Restart();
        Send(new RankEvent { Event = RankEventKind.Progress, Epoch = epoch, Step = step, Steps = steps, Loss = loss });
    }

    public void EpochCompleted(EpochSummary summary)
    {
        // Every rank holds the group's metrics; rank 0 speaks for the group.
        if (rank == 0) Send(new RankEvent { Event = RankEventKind.Epoch, Epoch = summary.Epoch, Metrics = WithRates(summary) });
        else Send(new RankEvent { Event = RankEventKind.Progress, Epoch = summary.Epoch });
    }

    public void CheckpointWritten(string id, string location) => Send(new RankEvent { Event = RankEventKind.Checkpoint, Checkpoint = id, Location = location });

    /// <summary>The epoch's metrics plus what a launcher publishes beside them: learning rate, epoch time, samples/s.</summary>
    private static Dictionary<string, double> WithRates(EpochSummary summary) => new(summary.Metrics)
    {
        ["learning_rate"] = summary.LearningRate,
        ["epoch_time"] = summary.Duration.TotalSeconds,
        ["samples_per_second"] = summary.SamplesPerSecond,
    };
}
