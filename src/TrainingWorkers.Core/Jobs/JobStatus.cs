namespace TrainingWorkers.Core.Jobs;

/// <summary>Where a training job is in its life. Terminal states are never left.</summary>
public enum JobStatus
{
    /// <summary>Submitted and waiting for a worker.</summary>
    Queued,
    /// <summary>A worker holds the lease and is training.</summary>
    Running,
    /// <summary>Training finished; the final checkpoint and model are durable.</summary>
    Succeeded,
    /// <summary>Training failed for good (bad spec, attempts used up, ...).</summary>
    Failed,
    /// <summary>A user cancelled the job.</summary>
    Cancelled,
}

/// <summary>Helpers over <see cref="JobStatus"/>.</summary>
public static class JobStatusExtensions
{
    /// <summary>Whether a job in this state is finished and can change no more.</summary>
    public static bool IsTerminal(this JobStatus status) =>
        status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;
}
