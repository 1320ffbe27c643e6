namespace TrainingWorkers.Deploy;

/// <summary>
/// The fleet's defaults, chosen with the fleet simulator (tools/TrainingWorkers.FleetSimulator; the runs are in
/// docs/measurements/fleet-simulator.md). Its tests run the simulator with these values and check the fleet's
/// properties hold, so a change here is checked there.
/// </summary>
public static class FleetDefaults
{
    /// <summary>Jobs per instance: the worker's job slots, and the scaling target of backlog per instance.</summary>
    public const int JobsPerInstance = 1;

    /// <summary>Instances at least and at most.</summary>
    public const int MinSize = 0;
    public const int MaxSize = 16;

    /// <summary>On-demand instances before any Spot, and the on-demand share of the rest (percent).</summary>
    public const int OnDemandBaseCapacity = 0;
    public const int OnDemandPercentAboveBase = 0;

    /// <summary>How long a new instance counts as warming up: scale-out during it only adds beyond the capacity already coming.</summary>
    public const int InstanceWarmupSeconds = 300;

    /// <summary>How long Auto Scaling waits on the termination hook for the worker's hand-off before it terminates anyway.</summary>
    public const int HandOffTimeoutSeconds = 300;

    /// <summary>The scale-from-zero alarm's period and evaluation periods: the first message starts an instance after this.</summary>
    public const int ScaleFromZeroPeriodSeconds = 60;
    public const int ScaleFromZeroEvaluationPeriods = 1;
}
