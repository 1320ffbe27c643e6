using System.Globalization;
using System.Text;

namespace TrainingWorkers.FleetSimulator;

/// <summary>Runs that vary one setting at a time around the stack's, to choose its defaults; each writes a markdown table.</summary>
internal static class Sweeps
{
    public static string All(SimulationSettings s) => string.Join("\n", Target(s), Warmup(s), HandOffTimeout(s), FromZero(s));

    /// <summary>Target backlog per instance: waiting against instance-hours, on the burst and on a steady stream.</summary>
    public static string Target(SimulationSettings s)
    {
        var table = Table("target (jobs per instance = 1)", "burst: mean wait", "burst: max wait", "burst: instance-hours", "steady: mean wait", "steady: instance-hours");
        foreach (var target in new[] { 1.0, 1.5, 2.0, 3.0 })
        {
            var t = s with { Target = target, MaxSize = 200 };
            var burst = new FleetSimulation(t, Workloads.Burst(Scenarios.BurstJobs, s.Seed)).Run(5 * 3600);
            var steady = new FleetSimulation(t with { MaxSize = s.MaxSize }, Workloads.Steady(5 * 3600, 240, s.Seed)).Run(7 * 3600);
            Row(table, N(target), Min(burst.MeanWait), Min(burst.MaxWait), N(burst.InstanceHours(5 * 3600)), Min(steady.MeanWait), N(steady.InstanceHours(7 * 3600)));
        }

        return table.ToString();
    }

    /// <summary>Instance warm-up: it holds scale-in while instances boot; too short and the group flaps, too long and it idles.</summary>
    public static string Warmup(SimulationSettings s)
    {
        var table = Table("instance warm-up (s)", "steady: scaling activities", "steady: scale-ins", "steady: mean wait", "steady: instance-hours", "from zero: back at 0 after");
        foreach (var warmup in new[] { 0, 120, 300, 600 })
        {
            var w = s with { InstanceWarmup = warmup };
            var steady = new FleetSimulation(w, Workloads.Steady(5 * 3600, 240, s.Seed)).Run(7 * 3600);
            var zero = new FleetSimulation(w, Workloads.FirstJob()).Run(2 * 3600);
            Row(table, N(warmup), N(steady.Activities.Count), N(steady.Activities.Count(a => a.Policy == "scale-in")), Min(steady.MeanWait),
                N(steady.InstanceHours(7 * 3600)), Min(zero.ReturnToMinimum ?? double.NaN));
        }

        return table.ToString();
    }

    /// <summary>The termination hook's timeout against the worker's hand-off time: training redone when the hook gives up first.</summary>
    public static string HandOffTimeout(SimulationSettings s)
    {
        var table = Table("hook timeout (s)", "hand-off 60 s: redone (s)", "hand-off 200 s: redone (s)", "hand-off 200 s: jobs completed");
        foreach (var timeout in new[] { 60, 120, 300, 600 })
        {
            var results = new[] { 60, 200 }.Select(h => Scenarios.Spot(s with { HandOffTimeout = timeout, HandOffSeconds = h }).Result).ToList();
            Row(table, N(timeout), N(results[0].WorkLost), N(results[1].WorkLost), $"{results[1].Completed} of {results[1].Jobs.Count}");
        }

        return table.ToString();
    }

    /// <summary>The scale-from-zero alarm's evaluation periods against the time to the first training second.</summary>
    public static string FromZero(SimulationSettings s)
    {
        var table = Table("from-zero periods", "first job starts after (metric delay 60 s)", "(metric delay 300 s)");
        foreach (var periods in new[] { 1, 2, 3 })
        {
            var fast = new FleetSimulation(s with { ScaleFromZeroPeriods = periods }, Workloads.FirstJob()).Run(3600);
            var slow = new FleetSimulation(s with { ScaleFromZeroPeriods = periods, MetricDelay = 300 }, Workloads.FirstJob()).Run(3600);
            Row(table, N(periods), Min(fast.FirstStartDelay ?? double.NaN), Min(slow.FirstStartDelay ?? double.NaN));
        }

        return table.ToString();
    }

    private static StringBuilder Table(params string[] columns) =>
        new StringBuilder().AppendLine("| " + string.Join(" | ", columns) + " |").AppendLine("|" + string.Concat(columns.Select(_ => "---|")));

    private static void Row(StringBuilder table, params string[] cells) => table.AppendLine("| " + string.Join(" | ", cells) + " |");

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Min(double seconds) => double.IsNaN(seconds) ? "never" : (seconds / 60).ToString("0.0", CultureInfo.InvariantCulture) + " min";
}
