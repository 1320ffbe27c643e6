namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// A CloudWatch alarm over 1-minute datapoints: in ALARM when each of the newest <see cref="Periods"/> datapoints
/// that have reached CloudWatch breaches; missing data does not breach (as the stack's alarms treat it).
/// </summary>
internal sealed class MetricAlarm(int periods, Func<Datapoint, bool> breaching)
{
    public int Periods { get; } = periods;

    public bool InAlarm { get; private set; }

    /// <summary>Re-evaluates with the datapoints that CloudWatch has by now (oldest first).</summary>
    public bool Evaluate(IReadOnlyList<Datapoint> available)
    {
        InAlarm = available.Count >= Periods && available.Skip(available.Count - Periods).All(breaching);
        return InAlarm;
    }
}
