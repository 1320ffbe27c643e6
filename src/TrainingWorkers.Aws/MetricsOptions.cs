namespace TrainingWorkers.Aws;

/// <summary>Training metrics on CloudWatch.</summary>
public sealed class MetricsOptions
{
    public string Namespace { get; set; } = "TrainingWorkers";

    /// <summary>Store at 1-second resolution instead of the standard 60 seconds (costs more).</summary>
    public bool HighResolution { get; set; }

    /// <summary>Points kept while CloudWatch cannot be reached; beyond it the oldest are dropped and counted.</summary>
    public int BufferCapacity { get; set; } = 20_000;

    /// <summary>How often buffered points are sent.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Add a <c>Rank</c> dimension so each rank's metrics are kept apart.</summary>
    public bool PerRankMetrics { get; set; }
}
