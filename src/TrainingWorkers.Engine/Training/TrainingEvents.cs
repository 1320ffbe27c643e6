using System.Text.Json.Serialization;
using TrainingWorkers.Core.Json;

namespace TrainingWorkers.Engine.Training;

/// <summary>One finished epoch: every metric by name (train_loss, val_accuracy, ...), and how it went.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="Improved">Whether the monitored metric improved on the best so far.</param>
public sealed record EpochSummary(int Epoch, IReadOnlyDictionary<string, double> Metrics, double LearningRate, TimeSpan Duration, double SamplesPerSecond, bool Improved);

/// <summary>Why training ended; written in snake_case (<c>early_stopped</c>) in reports and on the rank channel.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<StopReason>))]
public enum StopReason
{
    /// <summary>All epochs ran.</summary>
    Completed,
    /// <summary>The monitored metric stopped improving.</summary>
    EarlyStopped,
    /// <summary>Someone asked it to stop (Ctrl-C, cancellation); a checkpoint was written first.</summary>
    Cancelled,
}

/// <summary>
/// Watches a training run: the CLI draws progress bars from it, a rank reports it to its launcher.
/// Called on the training thread: implementations must return quickly.
/// </summary>
public interface ITrainingObserver
{
    void EpochStarted(int epoch, int epochs, int steps);

    void StepCompleted(int epoch, int step, int steps, double loss);

    void EpochCompleted(EpochSummary summary);

    void CheckpointWritten(string id, string location);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullTrainingObserver : ITrainingObserver
{
    public static readonly NullTrainingObserver Instance = new();

    public void EpochStarted(int epoch, int epochs, int steps) { }

    public void StepCompleted(int epoch, int step, int steps, double loss) { }

    public void EpochCompleted(EpochSummary summary) { }

    public void CheckpointWritten(string id, string location) { }
}
