using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Core.Jobs;

/// <summary>A job was submitted under an id that the job store already holds; nothing was recorded or queued.</summary>
public sealed class JobExistsException : JobInputException
{
    public JobExistsException(string jobId)
        : base("job_id", $"job '{jobId}' already exists")
    {
        JobId = jobId;
    }

    public string JobId { get; }
}
