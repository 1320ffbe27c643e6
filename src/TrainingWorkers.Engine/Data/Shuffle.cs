namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Seeded permutations. Each epoch's order is a pure function of (seed, epoch), so a resumed run
/// sees the same order as an uninterrupted one without saving any generator state.
/// </summary>
public static class Shuffle
{
    /// <summary>A permutation of 0..count-1 for a seed and a stream (the epoch, or another use).</summary>
    public static int[] Permutation(int count, ulong seed, ulong stream)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        var state = Mix(seed ^ Mix(stream + 0x9E3779B97F4A7C15UL));
        for (var i = count - 1; i > 0; i--)
        {
            state = Mix(state + 0x9E3779B97F4A7C15UL);
            var j = (int)(state % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    // SplitMix64's finalizer: a well-distributed, stable mix (System.Random's algorithm is not a contract).
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
