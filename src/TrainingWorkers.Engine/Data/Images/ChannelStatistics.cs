using System.Runtime.ExceptionServices;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Data.Images;

/// <summary>Per-channel mean and standard deviation of pixels in [0, 1] over a sample of images (data.normalize without data.mean/std).</summary>
internal static class ChannelStatistics
{
    /// <param name="items">The reader's items to measure; null: items 0..count-1.</param>
    public static (float[] Mean, float[] Std) Of(IExampleReader reader, int count, ImageOptions probe, int threads, int[]? items = null)
    {
        var channels = probe.Channels;
        var plane = probe.Height * probe.Width;
        var sums = new double[count, channels * 2];
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new float[channels * plane], (i, _, pixels) =>
            {
                reader.Read(items?[i] ?? i, pixels, augmentSeed: null);
                for (var c = 0; c < channels; c++)
                {
                    double s = 0, q = 0;
                    foreach (var v in pixels.AsSpan(c * plane, plane))
                    {
                        s += v;
                        q += (double)v * v;
                    }

                    (sums[i, c * 2], sums[i, c * 2 + 1]) = (s, q);
                }

                return pixels;
            }, _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions[0] is JobInputException bad)
        {
            // A bad image in the sample: the same error training would stop with, but before it starts.
            ExceptionDispatchInfo.Throw(bad);
        }

        var means = new float[channels];
        var stds = new float[channels];
        var n = (double)count * plane;
        for (var c = 0; c < channels; c++)
        {
            double s = 0, q = 0;
            for (var i = 0; i < count; i++) (s, q) = (s + sums[i, c * 2], q + sums[i, c * 2 + 1]);
            var m = s / n;
            means[c] = (float)m;
            stds[c] = (float)Math.Max(Math.Sqrt(Math.Max(0, q / n - m * m)), 1e-3);
        }

        return (means, stds);
    }
}
