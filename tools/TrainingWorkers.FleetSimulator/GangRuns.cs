using System.Globalization;
using System.Text;

namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// Multi-node jobs at fleet scale: gangs of 2-16 nodes on a fleet of 64 instances, the worker's all-or-nothing gang
/// formation against first come first served without reservation; and a gang submitted to an empty fleet, with and
/// without its nodes counted in the scaling metric. Each writes a markdown table.
/// </summary>
internal static class GangRuns
{
    public const int FleetSize = 64;
    private const int Hours = 8;

    public static string All(SimulationSettings s, string outDirectory) => string.Join("\n", Placement(s, outDirectory), FromZero(s));

    /// <summary>A steady stream of gangs on a fixed fleet of 64 instances, at three loads, under either placement.</summary>
    public static string Placement(SimulationSettings s, string outDirectory)
    {
        var table = Table("mean gap between jobs", "placement", "jobs completed", "mean wait", "p90 wait", "max wait", "utilization (first 8 h)", "held by waiting gangs");
        var fixedFleet = s with { MinSize = FleetSize, MaxSize = FleetSize, UsageUntil = Hours * 3600 };
        // A job asks for 7.5 nodes for 40 minutes on average, 300 instance-minutes: a job every 4.7 minutes fills 64 instances.
        foreach (var gap in new[] { 360, 270, 210 })
        {
            var jobs = Workloads.Gangs(Hours * 3600, gap, s.Seed);
            foreach (var (name, dispatcher) in new (string, IJobDispatcher)[] { ("all-or-nothing (ours)", new GangDispatcher()), ("FCFS, no reservation", new GreedyDispatcher()) })
            {
                var r = new FleetSimulation(fixedFleet, jobs, dispatcher).Run((Hours + 4) * 3600);
                if (gap == 270) File.WriteAllText(Path.Combine(outDirectory, $"gangs-{(dispatcher is GangDispatcher ? "all-or-nothing" : "fcfs")}.svg"), FleetChart.Svg($"gangs, {name}", r));
                Row(table, $"{gap} s", name, $"{r.Completed} of {r.Jobs.Count}", Min(r.MeanWait), Min(r.P90Wait), Min(r.MaxWait), Pct(r.Usage.Utilization), Pct(r.Usage.Held));
            }
        }

        return table.ToString();
    }

    /// <summary>One 8-node job on an empty group (MaxSize 16): how long until it trains, with the gang nodes in the metric and without.</summary>
    public static string FromZero(SimulationSettings s)
    {
        var table = Table("scaling metric", "the 8-node job starts after", "instances at its start");
        foreach (var count in new[] { true, false })
        {
            var r = new FleetSimulation(s with { CountGangNodes = count }, [new JobArrival(60, 20 * 60, 8)]).Run(2 * 3600);
            var start = r.Jobs[0].FirstStart;
            var instances = start is null ? "-" : r.Series.LastOrDefault(d => d.At <= start)?.InService.ToString(CultureInfo.InvariantCulture) ?? "0";
            Row(table, count ? "messages + gang nodes (the stack's)" : "messages only", start is null ? "never (2 h)" : Min(start.Value - 60), instances);
        }

        return table.ToString();
    }

    private static StringBuilder Table(params string[] columns) =>
        new StringBuilder().AppendLine("| " + string.Join(" | ", columns) + " |").AppendLine("|" + string.Concat(columns.Select(_ => "---|")));

    private static void Row(StringBuilder table, params string[] cells) => table.AppendLine("| " + string.Join(" | ", cells) + " |");

    private static string Pct(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + " %";

    private static string Min(double seconds) => (seconds / 60).ToString("0.0", CultureInfo.InvariantCulture) + " min";
}
