using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker;

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
