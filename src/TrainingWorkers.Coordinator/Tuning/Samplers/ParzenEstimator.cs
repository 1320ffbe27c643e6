namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>
/// A univariate Parzen estimator as Optuna 3.1's TPE builds it with its defaults (prior on, prior weight 1, magic clip on,
/// endpoints off): numeric — a mixture of normals truncated to the bounds, one per observation with a width from its
/// neighbours, plus a wide prior in the middle; categorical — one kernel per observation leaning to its choice, plus a uniform prior.
/// Observations are in trial order: with more than 25, older ones weigh less.
/// </summary>
internal sealed class ParzenEstimator
{
    private readonly double[] _weights;
    private readonly double[] _mus = [];
    private readonly double[] _sigmas = [];
    private readonly double[][] _categories = [];
    private readonly double _low;
    private readonly double _high;

    private ParzenEstimator(double[] weights, double low, double high, double[] mus, double[] sigmas, double[][] categories)
    {
        (_weights, _low, _high, _mus, _sigmas, _categories) = (weights, low, high, mus, sigmas, categories);
    }

    public static ParzenEstimator Numeric(IReadOnlyList<double> observations, double low, double high)
    {
        var mus = observations.Append(0.5 * (low + high)).ToArray();
        var n = mus.Length;
        var order = Enumerable.Range(0, n).OrderBy(i => mus[i]).ToArray();
        var sorted = order.Select(i => mus[i]).ToArray();
        var withEnds = sorted.Prepend(low).Append(high).ToArray();
        var sortedSigmas = new double[n];
        for (var i = 0; i < n; i++) sortedSigmas[i] = Math.Max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]);
        if (withEnds.Length >= 4)
        {
            // consider_endpoints=False: the outermost kernels look only inwards.
            sortedSigmas[0] = withEnds[2] - withEnds[1];
            sortedSigmas[^1] = withEnds[^2] - withEnds[^3];
        }

        var sigmas = new double[n];
        for (var i = 0; i < n; i++) sigmas[order[i]] = sortedSigmas[i];
        var (minSigma, maxSigma) = ((high - low) / Math.Min(100.0, 1.0 + n), high - low);
        for (var i = 0; i < n; i++) sigmas[i] = Math.Clamp(sigmas[i], minSigma, maxSigma);
        sigmas[^1] = high - low;
        return new ParzenEstimator(Weights(observations.Count), low, high, mus, sigmas, []);
    }

    public static ParzenEstimator Categorical(IReadOnlyList<int> observations, int choices)
    {
        var kernels = observations.Count + 1;
        var rows = new double[kernels][];
        for (var k = 0; k < kernels; k++)
        {
            rows[k] = Enumerable.Repeat(1.0 / kernels, choices).ToArray();
            if (k < observations.Count) rows[k][observations[k]] += 1;
            var sum = rows[k].Sum();
            for (var c = 0; c < choices; c++) rows[k][c] /= sum;
        }

        return new ParzenEstimator(Weights(observations.Count), 0, choices - 1, [], [], rows);
    }

    public double Sample(Random random)
    {
        var k = Pick(random, _weights);
        return _categories.Length > 0 ? Pick(random, _categories[k]) : Gaussian.SampleTruncated(random, _mus[k], _sigmas[k], _low, _high);
    }

    public double LogPdf(double x)
    {
        var terms = new double[_weights.Length];
        for (var k = 0; k < terms.Length; k++)
        {
            terms[k] = Math.Log(_weights[k]) + (_categories.Length > 0
                ? Math.Log(Math.Max(_categories[k][(int)x], 1e-300))
                : Gaussian.LogTruncatedPdf(x, _mus[k], _sigmas[k], _low, _high));
        }

        var max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }

    // Optuna's default_weights, then the prior's weight 1, normalized.
    private static double[] Weights(int observations)
    {
        var weights = new double[observations + 1];
        for (var i = 0; i < observations; i++)
        {
            weights[i] = observations < 25 || i >= observations - 25 ? 1.0 : (1.0 / observations) + ((1.0 - (1.0 / observations)) * i / Math.Max(1, observations - 26));
        }

        weights[^1] = 1.0;
        var sum = weights.Sum();
        return weights.Select(w => w / sum).ToArray();
    }

    private static int Pick(Random random, double[] probabilities)
    {
        var u = random.NextDouble();
        for (var i = 0; i < probabilities.Length - 1; i++)
        {
            u -= probabilities[i];
            if (u < 0) return i;
        }

        return probabilities.Length - 1;
    }
}
