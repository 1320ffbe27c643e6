using System.Globalization;

namespace TrainingWorkers.Benchmarks;

/// <summary>The minimum, median and maximum of a set of measurements (timings on a shared machine are noisy).</summary>
internal readonly record struct Stats(double Min, double Median, double Max, int Count)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no measurements", nameof(values));
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Stats(sorted[0], median, sorted[^1], sorted.Length);
    }

    /// <summary>"min / median / max" with the given format, e.g. "1.02 / 1.10 / 1.31".</summary>
    public string Format(string format) => string.Join(" / ", new[] { Min, Median, Max }.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));
}
