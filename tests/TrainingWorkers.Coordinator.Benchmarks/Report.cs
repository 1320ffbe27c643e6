using System.Globalization;

namespace TrainingWorkers.Coordinator.Benchmarks;

/// <summary>The benchmark's summary as markdown: per tuner, min / median / max over the seeds.</summary>
internal static class Report
{
    // Each of our tuners against the Optuna configuration that makes the same decisions.
    private static readonly (string Ours, string Peer)[] Peers = [("ours-tpe-median", "optuna-tpe-median"), ("ours-tpe-asha", "optuna-tpe-sha")];

    public static void Write(TextWriter output, IReadOnlyList<TunerRun> runs, int? parallel)
    {
        var trials = runs.Max(r => r.Trials.Count);
        var seeds = runs.Select(r => r.Seed).Distinct().Count();
        var byTuner = runs.GroupBy(r => r.Tuner).ToList();
        // Budgets every tuner reached: half of, and all of, the smallest median CPU any tuner spent.
        var full = byTuner.Min(g => Median(g.Select(r => r.CpuMinutes)));
        double[] budgets = [full / 2, full];
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{trials} trials{(parallel is { } p ? $", {p} at a time" : "")}, {seeds} seeds; best val_accuracy of a completed trial (min / median / max over the seeds)"));
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| tuner | best at the end | CPU-min spent | best by {budgets[0]:F2} CPU-min | best by {budgets[1]:F2} CPU-min | trials stopped |"));
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var g in byTuner)
        {
            output.WriteLine($"| {g.Key} | {Spread(g.Select(r => r.Best), "F4")} | {Spread(g.Select(r => r.CpuMinutes), "F2")} | " +
                $"{Spread(g.Select(r => r.BestBy(budgets[0])), "F4")} | {Spread(g.Select(r => r.BestBy(budgets[1])), "F4")} | {Spread(g.Select(r => (double)r.Stopped), "F0")} |");
        }

        output.WriteLine();
        output.WriteLine("Ours against Optuna, seed by seed (ours / Optuna's; min / median / max over the seeds):");
        output.WriteLine();
        output.WriteLine("| ours / peer | best at the end | CPU-min spent |");
        output.WriteLine("|---|---|---|");
        foreach (var (ours, peer) in Peers)
        {
            var pairs = runs.Where(r => r.Tuner == ours)
                .Join(runs.Where(r => r.Tuner == peer), r => r.Seed, r => r.Seed, (o, p) => (Ours: o, Peer: p)).ToList();
            if (pairs.Count == 0) continue;
            output.WriteLine($"| {ours} / {peer} | {Spread(pairs.Select(x => x.Ours.Best / x.Peer.Best), "F4")} | " +
                $"{Spread(pairs.Select(x => x.Ours.CpuMinutes / x.Peer.CpuMinutes), "F2")} |");
        }
    }

    private static string Spread(IEnumerable<double> values, string format)
    {
        var v = values.Where(x => !double.IsNaN(x)).Order().ToList();
        if (v.Count == 0) return "–";
        string F(double x) => x.ToString(format, CultureInfo.InvariantCulture);
        return $"{F(v[0])} / {F(Median(v))} / {F(v[^1])}";
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[(v.Count / 2) - 1] + v[v.Count / 2]) / 2;
    }
}
