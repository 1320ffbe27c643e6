namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Standardizes features with the training set's statistics: one mean and deviation for images
/// (every pixel alike), one per column for tables.
/// </summary>
internal sealed class Normalizer
{
    private readonly float[] _mean;
    private readonly float[] _scale;

    private Normalizer(float[] mean, float[] scale)
    {
        _mean = mean;
        _scale = scale;
    }

    public static Normalizer Fit(Dataset train)
    {
        var perColumn = train.Shape.Count == 1;
        var width = perColumn ? train.FeatureSize : 1;
        var sum = new double[width];
        var squares = new double[width];
        var features = train.Features;
        for (var i = 0; i < features.Length; i++)
        {
            var c = perColumn ? i % width : 0;
            sum[c] += features[i];
            squares[c] += (double)features[i] * features[i];
        }

        var perValue = (double)features.Length / width;
        var mean = new float[width];
        var scale = new float[width];
        for (var c = 0; c < width; c++)
        {
            var m = sum[c] / perValue;
            var variance = Math.Max(0, squares[c] / perValue - m * m);
            mean[c] = (float)m;
            // A constant column stays constant (0) rather than dividing by zero.
            scale[c] = variance > 1e-12 ? (float)(1 / Math.Sqrt(variance)) : 1f;
        }

        return new Normalizer(mean, scale);
    }

    public void Apply(params Dataset?[] datasets)
    {
        foreach (var data in datasets)
        {
            if (data is null) continue;
            var f = data.Features;
            var width = _mean.Length;
            for (var i = 0; i < f.Length; i++)
            {
                var c = width == 1 ? 0 : i % width;
                f[i] = (f[i] - _mean[c]) * _scale[c];
            }
        }
    }
}
