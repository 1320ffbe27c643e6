using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Core.Checkpoints;

/// <summary>
/// A checkpoint that is torn, tampered with, of an unknown format, or of another model. It is never loaded; a run
/// told to resume from it fails as bad input (another attempt would read the same checkpoint).
/// </summary>
public sealed class CorruptCheckpointException : Exception, IKnowsFailureKind
{
    public CorruptCheckpointException(string checkpointId, string reason)
        : base($"checkpoint {checkpointId}: {reason}")
    {
        CheckpointId = checkpointId;
        Reason = reason;
    }

    public string CheckpointId { get; }
    public string Reason { get; }

    public FailureKind FailureKind => FailureKind.InvalidInput;
}
