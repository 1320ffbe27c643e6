namespace TrainingWorkers.Engine.Data;

/// <summary>SplitMix64: a small, stable generator (System.Random's algorithm is not a contract), for augmentation and shuffle buffers.</summary>
internal struct SplitMix(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int NextInt(int n) => (int)(Next() % (ulong)n);

    /// <summary>The finalizer alone: a well-distributed hash of one value.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A seed for item <paramref name="b"/> of stream <paramref name="a"/> under <paramref name="seed"/>.</summary>
    public static ulong Seed(ulong seed, ulong a, ulong b) => Mix(seed ^ Mix(a + 0x9E3779B97F4A7C15UL) ^ Mix(b ^ 0xD1B54A32D192ED03UL));
}
