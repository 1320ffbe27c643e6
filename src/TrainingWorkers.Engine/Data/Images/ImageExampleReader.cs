using System.Diagnostics;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Data.Images;

/// <summary>Image files decoded and transformed on each read (as torchvision's ImageFolder with its transforms).</summary>
/// <param name="field">The spec field that named the files, for errors.</param>
internal sealed class ImageExampleReader(string[] files, ImageOptions options, int parallelism, InputCounters counters, string field) : IExampleReader
{
    public int Parallelism { get; } = parallelism;

    public void Read(int item, Span<float> destination, ulong? augmentSeed)
    {
        var start = Stopwatch.GetTimestamp();
        var path = files[item];
        try
        {
            using var image = ImageDecoder.Decode(ImageDecoder.ReadFile(path), options.Channels, path);
            ImageTransform.Apply(image, options, destination, augmentSeed);
        }
        catch (BadImageException e)
        {
            throw new JobInputException(field, e.Reason + " (data.bad_images \"skip\" leaves such files out)", e.File, e);
        }
        catch (IOException e)
        {
            throw new JobInputException(field, $"cannot be read ({e.Message})", path, e);
        }

        counters.Decoded(Stopwatch.GetElapsedTime(start));
    }
}
