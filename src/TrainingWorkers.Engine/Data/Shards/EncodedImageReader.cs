using System.Diagnostics;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Data.Images;

namespace TrainingWorkers.Engine.Data.Shards;

/// <summary>A webdataset's validation or test shards held encoded in memory (they are read whole every epoch), decoded per read.</summary>
internal sealed class EncodedImageReader(RawSample[] samples, ImageOptions options, int threads, InputCounters counters, string field) : IExampleReader
{
    public int Parallelism { get; } = threads;

    public static (EncodedImageReader Reader, long[] Labels) Load(ShardSource source, ImageOptions options, int threads, InputCounters counters)
    {
        var samples = Enumerable.Range(0, source.Manifest.Shards.Count)
            .SelectMany(i => ShardSamples.Read(source.Local(i), source.Field, source.Manifest.Classes.Count)).ToArray();
        return (new EncodedImageReader(samples, options, threads, counters, source.Field), samples.Select(s => s.Label).ToArray());
    }

    public void Read(int item, Span<float> destination, ulong? augmentSeed)
    {
        var start = Stopwatch.GetTimestamp();
        var sample = samples[item];
        try
        {
            using var image = ImageDecoder.Decode(sample.Image, options.Channels, sample.Name);
            ImageTransform.Apply(image, options, destination, augmentSeed);
        }
        catch (BadImageException e)
        {
            throw new JobInputException(field, e.Reason, e.File, e);
        }

        counters.Decoded(Stopwatch.GetElapsedTime(start));
    }
}
