namespace TrainingWorkers.Core.Spec;

/// <summary>
/// Random changes to training images, drawn anew each epoch (validation and test images are only resized):
/// torchvision's RandomResizedCrop and RandomHorizontalFlip.
/// </summary>
public sealed record AugmentSpec
{
    /// <summary>Crop a random area of [min, max] of the image with an aspect ratio in <see cref="CropRatio"/>, resized to the image size; null: no crop.</summary>
    public IReadOnlyList<double>? CropScale { get; init; }
    public IReadOnlyList<double> CropRatio { get; init; } = [3.0 / 4, 4.0 / 3];
    /// <summary>Mirror left to right with probability one half.</summary>
    public bool HorizontalFlip { get; init; }
}
