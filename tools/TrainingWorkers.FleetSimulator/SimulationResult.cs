namespace TrainingWorkers.FleetSimulator;

/// <summary>What a run did: the minute series, the scaling activities, every job and instance; and the numbers the properties read.</summary>
internal sealed record SimulationResult(
    SimulationSettings Settings, IReadOnlyList<SimJob> Jobs, IReadOnlyList<Datapoint> Series,
    IReadOnlyList<(int At, int Desired, string Policy)> Activities, int ScaleInKills, IReadOnlyList<SimInstance> Instances)
{
    public int Completed => Jobs.Count(j => j.Finished is not null);

    /// <summary>From the first job's submission to its first training second.</summary>
    public int? FirstStartDelay => Jobs.Count == 0 || Jobs[0].FirstStart is null ? null : Jobs[0].FirstStart - Jobs[0].Arrival.At;

    public double MeanWait => Jobs.Where(j => j.FirstStart is not null).Select(j => (double)(j.FirstStart!.Value - j.Arrival.At)).DefaultIfEmpty().Average();

    public int MaxWait => Jobs.Where(j => j.FirstStart is not null).Select(j => j.FirstStart!.Value - j.Arrival.At).DefaultIfEmpty().Max();

    public int WorkLost => Jobs.Sum(j => j.WorkLost);

    public int SpotInterruptions => Instances.Count(i => i.TerminationCause == "spot");

    public int Replacements => Instances.Count(i => i.TerminationCause == "rebalance");

    /// <summary>Instance-hours from launch to termination (or the run's end): what the fleet costs.</summary>
    public double InstanceHours(int end) => Instances.Sum(i => (double)((i.State == InstanceState.Terminated ? i.GoneAt ?? end : end) - i.Launched)) / 3600;

    /// <summary>When the group was back at its minimum size after the last job finished, counted from that job's end.</summary>
    public int? ReturnToMinimum
    {
        get
        {
            if (Completed != Jobs.Count || Jobs.Count == 0) return null;
            var last = Jobs.Max(j => j.Finished!.Value);
            var back = Series.FirstOrDefault(d => d.At >= last && d.InService + d.Pending <= Settings.MinSize && d.Desired <= Settings.MinSize);
            return back is null ? null : back.At - last;
        }
    }

    /// <summary>Minutes during which backlog per instance stayed within ±10 % of the target, out of those with jobs running and none left to start.</summary>
    public (int Settled, int Of) SettledMinutes(int from)
    {
        var window = Series.Where(d => d.At >= from && d.InFlight > 0 && d.Visible == 0).ToList();
        return (window.Count(d => Math.Abs(d.BacklogPerInstance - Settings.Target) <= 0.1 * Settings.Target), window.Count);
    }
}
