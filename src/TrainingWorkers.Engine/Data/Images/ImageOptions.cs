using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Data.Images;

/// <summary>How every image of a job becomes a tensor: its size and channels, normalization and training augmentation.</summary>
public sealed record ImageOptions(int Height, int Width, int Channels, float[] Mean, float[] Std, AugmentSpec? Augment)
{
    /// <summary>[channels, height, width].</summary>
    public int[] Shape => [Channels, Height, Width];
}
