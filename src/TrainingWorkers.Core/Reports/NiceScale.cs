using System.Globalization;

namespace TrainingWorkers.Core.Reports;

/// <summary>
/// An axis range widened to round tick values: steps of 1, 2 or 5 times a power of ten
/// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
/// </summary>
internal sealed record NiceScale(double Min, double Max, double Step)
{
    // Data within this fraction of a step of a tick counts as on the tick, so 0.3 / 0.1 = 2.9999999999999996 is not floored to 2.
    private const double Slack = 1e-9;

    /// <summary>A scale covering [<paramref name="min"/>, <paramref name="max"/>] with at most about <paramref name="maxTicks"/> ticks.</summary>
    /// <remarks>An empty range is widened by 10 % of its value each way (±1 around zero), so a constant series is drawn mid-height.</remarks>
    public static NiceScale Create(double min, double max, int maxTicks)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new ArgumentException($"Expected a finite range, got [{min}, {max}].", nameof(min));
        }

        if (min == max)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }

        // Rounding the raw step directly, rather than first rounding the range up as Heckbert does, keeps the axis
        // from running far past the data (0..40000 for data ending at 29000).
        double step = NiceNumber((max - min) / Math.Max(1, maxTicks - 1));
        return new NiceScale(Math.Floor((min / step) + Slack) * step, Math.Ceiling((max / step) - Slack) * step, step);
    }

    /// <summary>The tick values from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public IReadOnlyList<double> Ticks()
    {
        int count = (int)Math.Round((Max - Min) / Step) + 1;
        var ticks = new double[count];
        for (int i = 0; i < count; i++)
        {
            double tick = Min + (i * Step);
            ticks[i] = Math.Abs(tick) < Step * Slack ? 0 : tick; // no "-0"
        }

        return ticks;
    }

    /// <summary>A tick label with as many decimals as the step needs, in invariant culture.</summary>
    public string Format(double value)
    {
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(Step) + Slack));
        if (decimals > 5 || Math.Max(Math.Abs(Min), Math.Abs(Max)) >= 1e7)
        {
            return value == 0 ? "0" : value.ToString("0.##E+0", CultureInfo.InvariantCulture);
        }

        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Maps a value in [Min, Max] linearly onto [from, to] (pixels).</summary>
    public double Map(double value, double from, double to) => from + ((value - Min) / (Max - Min) * (to - from));

    private static double NiceNumber(double value)
    {
        double exponent = Math.Floor(Math.Log10(value));
        double fraction = value / Math.Pow(10, exponent);
        double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }
}
