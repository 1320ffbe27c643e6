namespace TrainingWorkers.Coordinator.Benchmarks;

/// <summary>One tuner's run over the budget, and what the benchmark reads from it.</summary>
internal sealed record TunerRun(string Tuner, ulong Seed, IReadOnlyList<TrialPoint> Trials, double WallSeconds)
{
    public double CpuMinutes => Trials.Count == 0 ? 0 : Trials.Max(t => t.CpuSeconds) / 60;

    /// <summary>The best completed trial's value.</summary>
    public double Best => Trials.Where(t => t.State == "complete" && t.Value is not null).Select(t => t.Value!.Value).DefaultIfEmpty(double.NaN).Max();

    /// <summary>The best completed value once the tuner had spent <paramref name="cpuMinutes"/> (NaN before its first).</summary>
    public double BestBy(double cpuMinutes) =>
        Trials.Where(t => t.State == "complete" && t.Value is not null && t.CpuSeconds <= cpuMinutes * 60).Select(t => t.Value!.Value).DefaultIfEmpty(double.NaN).Max();

    public int Stopped => Trials.Count(t => t.State == "pruned");
}
