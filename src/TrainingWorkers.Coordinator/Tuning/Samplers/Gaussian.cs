namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>The normal distribution's pieces a Parzen estimator needs: the CDF (through erfc) and draws truncated to an interval.</summary>
internal static class Gaussian
{
    private static readonly double LogSqrtTwoPi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>The standard normal CDF.</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>log of the density of N(mu, sigma) truncated to [low, high], at x.</summary>
    public static double LogTruncatedPdf(double x, double mu, double sigma, double low, double high)
    {
        var z = (x - mu) / sigma;
        var mass = Math.Max(Cdf((high - mu) / sigma) - Cdf((low - mu) / sigma), 1e-12);
        return (-0.5 * z * z) - LogSqrtTwoPi - Math.Log(sigma) - Math.Log(mass);
    }

    /// <summary>A draw of N(mu, sigma) within [low, high] (rejection: mu lies inside and sigma is at most the width, so most draws are kept).</summary>
    public static double SampleTruncated(Random random, double mu, double sigma, double low, double high)
    {
        for (var i = 0; i < 100; i++)
        {
            // Box-Muller.
            var u1 = 1.0 - random.NextDouble();
            var x = mu + (sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * random.NextDouble()));
            if (x >= low && x <= high) return x;
        }

        return low + (random.NextDouble() * (high - low));
    }

    /// <summary>The complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7 everywhere).</summary>
    public static double Erfc(double x)
    {
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + (0.5 * z));
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 0; i--) poly = c[i] + (t * poly);
        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? r : 2.0 - r;
    }
}
