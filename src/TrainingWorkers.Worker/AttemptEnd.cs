using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker;

/// <summary>What one claimed attempt needs: the job, where it runs, the lease it holds and how it is stopped.</summary>
internal sealed record AttemptContext(string JobId, JobSpec Spec, string SpecJson, JobSlot Slot, DateTimeOffset SentAt, Func<Core.Jobs.JobLease> Lease, JobStop Stop);

/// <summary>How an attempt ended, before the worker decides what it means for the job (<see cref="OutcomeDecision"/>).</summary>
internal sealed record AttemptEnd
{
    /// <summary>How the ranks ended, or null when the attempt failed before they started.</summary>
    public LaunchResult? Launch { get; init; }

    /// <summary>What went wrong outside the ranks: fetching the inputs, uploading a checkpoint or the results.</summary>
    public Exception? Error { get; init; }

    /// <summary>A write found the lease taken over by another worker.</summary>
    public bool LeaseLost { get; init; }

    /// <summary>The newest metrics: the final ones (validation, test) after a success.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Where the trained model went, after a success.</summary>
    public string? ModelUri { get; init; }
}

/// <summary>Runs one claimed attempt of a job: fetch its inputs, train it with the launcher, upload what it made.</summary>
internal interface IAttemptRunner
{
    /// <summary>Never throws for the job's sake: every failure is in the returned <see cref="AttemptEnd"/>.</summary>
    Task<AttemptEnd> RunAsync(AttemptContext context);
}
