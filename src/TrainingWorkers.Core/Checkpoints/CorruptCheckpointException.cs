namespace TrainingWorkers.Core.Checkpoints;

/// <summary>A checkpoint that is torn, tampered with or of an unknown format. It is never loaded.</summary>
public sealed class CorruptCheckpointException : Exception
{
    public CorruptCheckpointException(string checkpointId, string reason)
        : base($"checkpoint {checkpointId}: {reason}")
    {
        CheckpointId = checkpointId;
        Reason = reason;
    }

    public string CheckpointId { get; }
    public string Reason { get; }
}
