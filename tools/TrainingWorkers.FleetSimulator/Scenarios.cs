namespace TrainingWorkers.FleetSimulator;

/// <summary>The runs that show the fleet's properties with a set of settings (by default the stack's).</summary>
internal static class Scenarios
{
    public const int BurstJobs = 200;

    public sealed record Run(string Name, string Description, SimulationResult Result, int Seconds, IReadOnlyList<PropertyCheck> Checks);

    public static IReadOnlyList<Run> All(SimulationSettings s) => [FromZero(s), Burst(s), Spot(s)];

    /// <summary>One job submitted to an empty fleet, run until the group is back at its minimum.</summary>
    public static Run FromZero(SimulationSettings s)
    {
        const int seconds = 2 * 3600;
        var r = new FleetSimulation(s, Workloads.FirstJob()).Run(seconds);
        return new("from-zero", "one 20-minute job, the group at 0", r, seconds,
            [FleetProperties.FirstJobStartsFromZero(r), FleetProperties.NoRunningJobScaledIn(r), FleetProperties.ReturnsToMinimum(r)]);
    }

    /// <summary>200 jobs at once; the group may grow to one instance per job (MaxSize 200 for this run).</summary>
    public static Run Burst(SimulationSettings s)
    {
        const int seconds = 4 * 3600;
        var settings = s with { MaxSize = Math.Max(s.MaxSize, (int)Math.Ceiling(BurstJobs / s.Target)) };
        var r = new FleetSimulation(settings, Workloads.Burst(BurstJobs, s.Seed)).Run(seconds);
        return new("burst-200", $"{BurstJobs} jobs of 20-40 minutes at once, MaxSize {settings.MaxSize}", r, seconds,
            [FleetProperties.BacklogSettlesAtTarget(r), FleetProperties.NoRunningJobScaledIn(r), FleetProperties.ReturnsToMinimum(r)]);
    }

    /// <summary>A steady stream on Spot with a high interruption rate (1 per instance every 2 hours) and rebalance recommendations.</summary>
    public static Run Spot(SimulationSettings s)
    {
        const int seconds = 8 * 3600;
        var settings = s with { SpotInterruptionsPerHour = 0.5, RebalanceLeadSeconds = 600 };
        var r = new FleetSimulation(settings, Workloads.Steady(5 * 3600, 240, s.Seed)).Run(seconds);
        return new("spot", "a job every 4 minutes on average for 5 h, 20-60 minutes each, all Spot, 0.5 interruptions per instance-hour, rebalance 10 min ahead", r, seconds,
            [FleetProperties.SpotLosesNoJob(r), FleetProperties.NoRunningJobScaledIn(r), FleetProperties.ReturnsToMinimum(r)]);
    }
}
