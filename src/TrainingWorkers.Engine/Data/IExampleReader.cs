namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Makes examples on demand (decodes an image, transforms it) instead of holding them in memory. Called from
/// several loader threads at once: implementations are thread-safe.
/// </summary>
public interface IExampleReader
{
    /// <summary>Writes item <paramref name="item"/>'s features into <paramref name="destination"/>.</summary>
    /// <param name="augmentSeed">Training: the seed of this example's random augmentation (the same seed gives the same result); null: the deterministic evaluation transform.</param>
    void Read(int item, Span<float> destination, ulong? augmentSeed);

    /// <summary>Whether reads are expensive (decoding): evaluation then spreads them over threads.</summary>
    int Parallelism { get; }
}
