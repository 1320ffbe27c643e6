namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Examples with either class ids (classification) or real-valued targets (regression, <see cref="Outputs"/> per
/// example). Features are a row-major float array in memory, or made on demand by an <see cref="IExampleReader"/>
/// (images decoded per use); <see cref="CopyRow"/> reads either.
/// </summary>
public sealed class Dataset
{
    private readonly float[]? _features;
    private readonly IExampleReader? _reader;
    // Reader-backed: the reader's item for each example.
    private readonly int[]? _items;

    public Dataset(float[] features, IReadOnlyList<int> shape, long[]? labels, float[]? targets, int outputs = 1)
    {
        Shape = shape;
        FeatureSize = shape.Aggregate(1, (a, b) => a * b);
        if (features.Length % FeatureSize != 0) throw new ArgumentException("features is not a whole number of examples", nameof(features));
        Count = features.Length / FeatureSize;
        if ((labels is null) == (targets is null)) throw new ArgumentException("give either labels or targets");
        if (labels is not null && labels.Length != Count) throw new ArgumentException($"{labels.Length} labels for {Count} examples", nameof(labels));
        if (targets is not null && targets.Length != Count * outputs) throw new ArgumentException($"{targets.Length} targets for {Count} examples", nameof(targets));
        _features = features;
        Labels = labels;
        Targets = targets;
        Outputs = outputs;
    }

    /// <summary>Classification examples made by <paramref name="reader"/>: example i is the reader's item <paramref name="items"/>[i].</summary>
    public Dataset(IExampleReader reader, int[] items, IReadOnlyList<int> shape, long[] labels)
    {
        if (labels.Length != items.Length) throw new ArgumentException($"{labels.Length} labels for {items.Length} examples", nameof(labels));
        _reader = reader;
        _items = items;
        Shape = shape;
        FeatureSize = shape.Aggregate(1, (a, b) => a * b);
        Count = items.Length;
        Labels = labels;
        Outputs = 1;
    }

    /// <summary>All features in memory; throws for reader-backed data (see <see cref="InMemory"/>).</summary>
    public float[] Features => _features ?? throw new InvalidOperationException("this data set is read on demand; use CopyRow");
    public bool InMemory => _features is not null;
    public IExampleReader? Reader => _reader;
    public long[]? Labels { get; }
    public float[]? Targets { get; }
    public int Count { get; }
    /// <summary>The shape of one example: [channels, height, width] for images, [features] for tables.</summary>
    public IReadOnlyList<int> Shape { get; }
    public int FeatureSize { get; }
    public int Outputs { get; }
    public bool IsClassification => Labels is not null;

    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * FeatureSize, FeatureSize);

    /// <summary>Writes example <paramref name="index"/> into <paramref name="destination"/>; augmented when <paramref name="augmentSeed"/> is given.</summary>
    public void CopyRow(int index, Span<float> destination, ulong? augmentSeed = null)
    {
        if (_features is not null) _features.AsSpan(index * FeatureSize, FeatureSize).CopyTo(destination);
        else _reader!.Read(_items![index], destination[..FeatureSize], augmentSeed);
    }

    /// <summary>A new dataset of the given examples, in that order.</summary>
    public Dataset Select(IReadOnlyList<int> indices)
    {
        if (_reader is not null) return new Dataset(_reader, indices.Select(i => _items![i]).ToArray(), Shape, indices.Select(i => Labels![i]).ToArray());
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
