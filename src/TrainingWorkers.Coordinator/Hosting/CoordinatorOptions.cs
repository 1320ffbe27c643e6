namespace TrainingWorkers.Coordinator.Hosting;

/// <summary>
/// The coordinator's settings (configuration section <c>Coordinator</c>; environment <c>TW_Coordinator__Name</c>). Durations are
/// written as <c>hh:mm:ss</c>. The AWS side (queue URL, table, bucket, endpoint) is the <c>Aws</c> section, shared with the worker.
/// </summary>
public sealed class CoordinatorOptions
{
    public const string SectionName = "Coordinator";

    /// <summary>This coordinator's name in study leases and history. Empty: host name and process id.</summary>
    public string? CoordinatorId { get; set; }

    /// <summary>How long a claim on a study lasts without a heartbeat: a dead coordinator's studies are taken over this long after its last step.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each held study takes a step (observe its jobs, decide, act), and open studies are looked for.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Studies this coordinator drives at once; more wait for another coordinator or a free slot.</summary>
    public int MaxStudies { get; set; } = 16;

    /// <summary>Liveness (<c>/health/live</c>) and readiness (<c>/health/ready</c>) on 127.0.0.1; 0 turns them off.</summary>
    public int HealthPort { get; set; } = 8081;
}
