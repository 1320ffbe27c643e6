namespace TrainingWorkers.FleetSimulator;

/// <summary>One property the fleet must have, whether a run shows it, and the numbers behind the verdict.</summary>
internal sealed record PropertyCheck(string Property, bool Holds, string Detail);

/// <summary>The five properties the issue asks the simulator to show, each judged on a run.</summary>
internal static class FleetProperties
{
    /// <summary>
    /// The time the model expects from a first message to the first training second with none running: the metric
    /// reaching CloudWatch, the from-zero alarm's periods (plus up to a minute to the next evaluation), boot, worker start.
    /// </summary>
    public static int ExpectedFirstStart(SimulationSettings s) => s.MetricDelay + (s.ScaleFromZeroPeriods + 1) * 60 + s.BootSeconds + s.WorkerStartSeconds;

    public static PropertyCheck FirstJobStartsFromZero(SimulationResult r)
    {
        var bound = ExpectedFirstStart(r.Settings);
        return new("the first job starts an instance from zero within the expected time", r.FirstStartDelay is { } d && d <= bound,
            $"first training second {Show(r.FirstStartDelay)} after submission; expected at most {bound} s");
    }

    /// <summary>After a burst, backlog per instance comes within ±10 % of the target and stays there until the first job ends.</summary>
    public static PropertyCheck BacklogSettlesAtTarget(SimulationResult r)
    {
        var firstEnd = r.Jobs.Where(j => j.Finished is not null).Select(j => j.Finished!.Value).DefaultIfEmpty(int.MaxValue).Min();
        bool Near(Datapoint d) => Math.Abs(d.BacklogPerInstance - r.Settings.Target) <= 0.1 * r.Settings.Target;
        var reached = r.Series.FirstOrDefault(d => d.InService > 0 && Near(d));
        var held = reached is not null && r.Series.Where(d => d.At >= reached.At && d.At < firstEnd).All(Near);
        return new("backlog per instance settles at the target under the burst", held,
            $"within ±10 % of {r.Settings.Target} from minute {(reached is null ? "never" : (reached.At / 60).ToString(System.Globalization.CultureInfo.InvariantCulture))} " +
            $"until the first job ended (minute {firstEnd / 60}); {r.Series.Max(d => d.InService)} instances at most");
    }

    public static PropertyCheck NoRunningJobScaledIn(SimulationResult r) =>
        new("no running job's instance is terminated by scale-in", r.ScaleInKills == 0,
            $"{r.ScaleInKills} instances terminated by scale-in with a job; {r.Activities.Count(a => a.Policy == "scale-in")} scale-in activities");

    public static PropertyCheck ReturnsToMinimum(SimulationResult r)
    {
        var bound = r.Settings.MetricDelay + (r.Settings.ScaleInPeriods + 2) * 60 + r.Settings.InstanceWarmup;
        return new("the group returns to its minimum when idle", r.ReturnToMinimum is { } back && back <= bound,
            $"back at {r.Settings.MinSize} instance(s) {Show(r.ReturnToMinimum)} after the last job ended; expected at most {bound} s");
    }

    public static PropertyCheck SpotLosesNoJob(SimulationResult r) =>
        new("Spot interruptions lose no job", r.Completed == r.Jobs.Count && r.SpotInterruptions > 0,
            $"{r.Completed} of {r.Jobs.Count} jobs completed through {r.SpotInterruptions} interruptions and {r.Replacements} rebalancing replacements; " +
            $"{r.WorkLost} s of training redone; {r.Jobs.Sum(j => j.Attempts)} attempts");

    private static string Show(int? seconds) => seconds is { } s ? $"{s} s" : "never";
}
