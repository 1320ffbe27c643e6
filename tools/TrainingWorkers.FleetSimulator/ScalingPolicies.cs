namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// The stack's two policies as Auto Scaling runs them. Target tracking: while its high alarm (3 datapoints above
/// the target) is in ALARM, each minute, desired = ceil(in service × metric / target), raised only; while its low
/// alarm (15 datapoints below 90 % of the target) is, lowered to that, never below the minimum and never while an
/// instance warms up. From zero: while jobs wait and the group wants none, desired = 1 (the step policy's exact capacity).
/// </summary>
internal sealed class ScalingPolicies(SimulationSettings s)
{
    private readonly MetricAlarm _high = new(s.ScaleOutPeriods, d => d.BacklogPerInstance > s.Target);
    private readonly MetricAlarm _low = new(s.ScaleInPeriods, d => d.BacklogPerInstance < s.Target * s.ScaleInFactor);
    private readonly MetricAlarm _fromZero = new(s.ScaleFromZeroPeriods, d => d.Desired == 0 && d.Backlog > 0);

    /// <summary>Scaling activities so far, each with its time and new desired capacity.</summary>
    public List<(int At, int Desired, string Policy)> Activities { get; } = [];

    /// <returns>The new desired capacity.</returns>
    public int Evaluate(int now, IReadOnlyList<Datapoint> available, int desired, int inService, bool warming)
    {
        if (available.Count == 0) return desired;
        var latest = available[^1];
        if (_fromZero.Evaluate(available) && desired == 0) return Set(now, 1, "from-zero");
        var wanted = (int)Math.Ceiling(inService * latest.BacklogPerInstance / s.Target);
        if (_high.Evaluate(available) && inService > 0 && Math.Min(wanted, s.MaxSize) > desired) return Set(now, Math.Min(wanted, s.MaxSize), "scale-out");
        if (_low.Evaluate(available) && !warming && Math.Max(wanted, s.MinSize) < desired) return Set(now, Math.Max(wanted, s.MinSize), "scale-in");
        return desired;
    }

    private int Set(int now, int desired, string policy)
    {
        Activities.Add((now, desired, policy));
        return desired;
    }
}
