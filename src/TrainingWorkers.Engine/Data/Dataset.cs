namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Examples in memory: features as one row-major float array, and either class ids (classification)
/// or real-valued targets (regression, <see cref="Outputs"/> per example).
/// </summary>
public sealed class Dataset
{
    public Dataset(float[] features, IReadOnlyList<int> shape, long[]? labels, float[]? targets, int outputs = 1)
    {
        Shape = shape;
        FeatureSize = shape.Aggregate(1, (a, b) => a * b);
        if (features.Length % FeatureSize != 0) throw new ArgumentException("features is not a whole number of examples", nameof(features));
        Count = features.Length / FeatureSize;
        if ((labels is null) == (targets is null)) throw new ArgumentException("give either labels or targets");
        if (labels is not null && labels.Length != Count) throw new ArgumentException($"{labels.Length} labels for {Count} examples", nameof(labels));
        if (targets is not null && targets.Length != Count * outputs) throw new ArgumentException($"{targets.Length} targets for {Count} examples", nameof(targets));
        Features = features;
        Labels = labels;
        Targets = targets;
        Outputs = outputs;
    }

    public float[] Features { get; }
    public long[]? Labels { get; }
    public float[]? Targets { get; }
    public int Count { get; }
    /// <summary>The shape of one example: [channels, height, width] for images, [features] for tables.</summary>
    public IReadOnlyList<int> Shape { get; }
    public int FeatureSize { get; }
    public int Outputs { get; }
    public bool IsClassification => Labels is not null;

    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * FeatureSize, FeatureSize);

    /// <summary>A new dataset of the given examples, in that order.</summary>
    public Dataset Select(IReadOnlyList<int> indices)
    {
        var features = new float[indices.Count * FeatureSize];
        var labels = Labels is null ? null : new long[indices.Count];
        var targets = Targets is null ? null : new float[indices.Count * Outputs];
        for (var i = 0; i < indices.Count; i++)
        {
            var j = indices[i];
            Row(j).CopyTo(features.AsSpan(i * FeatureSize));
            if (labels is not null) labels[i] = Labels![j];
            if (targets is not null) Targets.AsSpan(j * Outputs, Outputs).CopyTo(targets.AsSpan(i * Outputs));
        }

        return new Dataset(features, Shape, labels, targets, Outputs);
    }

    /// <summary>The first <paramref name="count"/> examples.</summary>
    public Dataset Take(int count) => count >= Count ? this : Select(Enumerable.Range(0, count).ToArray());
}
