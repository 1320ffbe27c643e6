using TrainingWorkers.Deploy;

namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// Everything a run depends on: the stack's scaling settings (by default the deploy stack's own,
/// <see cref="FleetDefaults"/>), the alarm semantics of target tracking, and the fleet's physics (boot time,
/// hand-off time, Spot interruptions). Times are in seconds.
/// </summary>
internal sealed record SimulationSettings
{
    // The stack's settings.
    public int MinSize { get; init; } = FleetDefaults.MinSize;
    public int MaxSize { get; init; } = FleetDefaults.MaxSize;
    public int JobsPerInstance { get; init; } = FleetDefaults.JobsPerInstance;
    /// <summary>The target of backlog per instance; the stack sets it to <see cref="JobsPerInstance"/>.</summary>
    public double Target { get; init; } = FleetDefaults.JobsPerInstance;
    public int OnDemandBaseCapacity { get; init; } = FleetDefaults.OnDemandBaseCapacity;
    public int OnDemandPercentAboveBase { get; init; } = FleetDefaults.OnDemandPercentAboveBase;
    public int InstanceWarmup { get; init; } = FleetDefaults.InstanceWarmupSeconds;
    public int HandOffTimeout { get; init; } = FleetDefaults.HandOffTimeoutSeconds;
    public int ScaleFromZeroPeriods { get; init; } = FleetDefaults.ScaleFromZeroEvaluationPeriods;

    // Target tracking's alarms as EC2 Auto Scaling creates them for a metric of 1-minute periods: scale out after
    // 3 datapoints above the target, scale in after 15 below 90 % of it.
    public int ScaleOutPeriods { get; init; } = 3;
    public int ScaleInPeriods { get; init; } = 15;
    public double ScaleInFactor { get; init; } = 0.9;

    /// <summary>How late a minute's datapoint (SQS and group metrics) reaches CloudWatch's alarms.</summary>
    public int MetricDelay { get; init; } = 60;

    // The fleet's physics.
    /// <summary>From launch to InService (the instance boots), and from there until the worker polls.</summary>
    public int BootSeconds { get; init; } = 180;
    public int WorkerStartSeconds { get; init; } = 60;
    /// <summary>How long the worker takes to stop a job, write and upload its checkpoint, and give it back.</summary>
    public int HandOffSeconds { get; init; } = 60;
    /// <summary>A running job writes a durable checkpoint this often (each epoch, say).</summary>
    public int CheckpointEvery { get; init; } = 300;
    /// <summary>Spot interruptions per Spot instance-hour (0: none); the notice comes 2 minutes before.</summary>
    public double SpotInterruptionsPerHour { get; init; }
    public int SpotNoticeSeconds { get; init; } = 120;
    /// <summary>A rebalance recommendation comes this long before the interruption (0: none); the group then replaces the instance.</summary>
    public int RebalanceLeadSeconds { get; init; }
    public int Seed { get; init; } = 1;
}
