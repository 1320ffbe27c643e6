namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>A random source per (seed, trial, purpose): the same request draws the same values for the same trial, whichever coordinator draws them.</summary>
internal static class Seeded
{
    public static Random For(ulong seed, int number, ulong purpose = 0)
    {
        // SplitMix64 over the three, so nearby trial numbers get unrelated streams.
        var z = seed + (0x9E3779B97F4A7C15UL * (ulong)(number + 1)) + (0xBF58476D1CE4E5B9UL * purpose);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return new Random((int)(z & 0x7FFFFFFF));
    }
}
