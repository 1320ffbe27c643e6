namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>
/// The fleet-level metrics the worker publishes (in <see cref="MetricsOptions.Namespace"/>), without the job
/// dimension: the deploy stack's alarms and dashboard read them by these names. Per-job metrics (a job's loss,
/// accuracy, GPU memory) carry the job's dimensions instead (<see cref="MetricDimensions"/>).
/// </summary>
public static class FleetMetricNames
{
    /// <summary>1 per worker per minute while its poll loop is alive; summed, the number of live workers.</summary>
    public const string WorkerHeartbeat = "WorkerHeartbeat";

    /// <summary>Jobs running on a worker, each minute; summed, the jobs running on the fleet.</summary>
    public const string JobsRunning = "JobsRunning";

    /// <summary>1 each time a job's attempt ends on a worker, with the <see cref="Outcome"/> dimension.</summary>
    public const string JobsEnded = "JobsEnded";

    /// <summary>The dimension of <see cref="JobsEnded"/>: succeeded, failed, cancelled, retrying, handed_off, lease_lost, unreadable.</summary>
    public const string Outcome = "Outcome";

    /// <summary>The dimensions of the per-type copy of <see cref="WorkerHeartbeat"/>: the EC2 instance type and market (spot, on-demand).</summary>
    public const string InstanceType = "InstanceType";
    public const string Market = "Market";

    /// <summary>The outcomes that count as a job failing (the failing-jobs alarm).</summary>
    public const string FailedOutcome = "failed";
}
