namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>What a sweep optimizes: a per-epoch metric (a trial's value is its best epoch's), minimized or maximized.</summary>
public sealed record Objective(string Metric, bool HigherIsBetter)
{
    /// <summary>Whether <paramref name="a"/> is strictly better than <paramref name="b"/>.</summary>
    public bool Better(double a, double b) => HigherIsBetter ? a > b : a < b;

    /// <summary>The better of the two (a NaN is never better).</summary>
    public double Best(double a, double b) => double.IsNaN(b) || Better(a, b) ? a : b;
}
