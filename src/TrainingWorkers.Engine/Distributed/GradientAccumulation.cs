namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// Gradient accumulation over K micro-batches: the micro-steps of an epoch form groups of K (the
/// last group may be shorter); each weighs its mean loss by its share of the group's examples, so
/// the summed gradient is the group's mean, and all but the group's last only accumulate.
/// </summary>
public static class GradientAccumulation
{
    /// <param name="step">The 0-based micro-step in the epoch.</param>
    /// <param name="examples">The examples this rank trains on in the epoch.</param>
    public static (double Weight, bool AccumulateOnly) Plan(int step, int steps, int accumulation, int batchSize, int examples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(accumulation, 1);
        var first = step / accumulation * accumulation;
        var end = Math.Min(first + accumulation, steps);
        long Size(int s) => Math.Max(0, Math.Min(batchSize, examples - ((long)s * batchSize)));
        long total = 0;
        for (var s = first; s < end; s++) total += Size(s);
        return ((double)Size(step) / total, step + 1 < end);
    }
}
