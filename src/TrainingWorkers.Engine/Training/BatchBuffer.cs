using TrainingWorkers.Engine.Data;

namespace TrainingWorkers.Engine.Training;

/// <summary>
/// One batch's features and targets in pinned arrays: libtorch reads them in place (from_blob),
/// and the GC never moves them under a running step.
/// </summary>
internal sealed class BatchBuffer
{
    public BatchBuffer(Dataset data, int batchSize)
    {
        Features = GC.AllocateUninitializedArray<float>(batchSize * data.FeatureSize, pinned: true);
        Labels = data.IsClassification ? GC.AllocateUninitializedArray<long>(batchSize, pinned: true) : [];
        Targets = data.IsClassification ? [] : GC.AllocateUninitializedArray<float>(batchSize * data.Outputs, pinned: true);
    }

    public float[] Features { get; }
    public long[] Labels { get; }
    public float[] Targets { get; }

    /// <summary>Copies (or decodes) the examples order[start..start+count) into the buffer.</summary>
    /// <param name="augmentSeed">Per example: the seed of its training augmentation, or null for none.</param>
    public void Fill(Dataset data, ReadOnlySpan<int> order, int start, int count, Func<int, ulong?>? augmentSeed = null)
    {
        var width = data.FeatureSize;
        for (var i = 0; i < count; i++)
        {
            var j = order[start + i];
            data.CopyRow(j, Features.AsSpan(i * width, width), augmentSeed?.Invoke(j));
            if (data.Labels is { } labels) Labels[i] = labels[j];
            else data.Targets.AsSpan(j * data.Outputs, data.Outputs).CopyTo(Targets.AsSpan(i * data.Outputs));
        }
    }
}
