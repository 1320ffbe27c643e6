using TrainingWorkers.Core.Data;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data.Images;

namespace TrainingWorkers.Engine.Data.Shards;

/// <summary>
/// Loads <c>data.format: webdataset</c>: the training shards as a stream (nothing of them is read until training
/// starts), validation and test shards held encoded in memory, image options from the first sample.
/// </summary>
internal static class WebDatasetLoader
{
    private const int StatisticsSample = 1000;

    public static DataSplits Load(DataSpec spec, ulong seed, DataLocationPolicy policy, IRemoteDataFiles? remote)
    {
        var train = ShardSource.Open(spec.Train, "data.train", policy, remote);
        var validation = spec.Validation is null ? null : ShardSource.Open(spec.Validation, "data.validation", policy, remote);
        var test = spec.Test is null ? null : ShardSource.Open(spec.Test, "data.test", policy, remote);
        foreach (var other in new[] { validation, test })
        {
            if (other is not null && !other.Manifest.Classes.SequenceEqual(train.Manifest.Classes, StringComparer.Ordinal))
            {
                throw new JobInputException(other.Field, "its classes differ from the training shards' (pack both from folders with the same class folders)");
            }
        }

        var threads = Math.Max(1, spec.LoaderThreads ?? ImageFolderLoader.DefaultThreads);
        var counters = new InputCounters();
        var first = ShardSamples.Read(train.Local(0), train.Field, train.Manifest.Classes.Count).Take(StatisticsSample).ToArray();
        var (width, height, channels) = Probe(first[0], train.Field);
        var (h, w) = spec.ImageSize is { } size ? (size[0], size[1]) : (height, width);
        var probe = new ImageOptions(h, w, spec.Channels ?? channels, [0, 0, 0], [1, 1, 1], null);
        var (mean, std) = Normalization(spec, first, probe, threads);
        var options = probe with { Mean = mean, Std = std, Augment = spec.Augment };

        var stream = new ShardStreamReader(train, options, threads, counters, seed, spec.ShuffleBuffer, spec.Prefetch);
        var trainSet = new Dataset(stream, Enumerable.Range(0, stream.Labels.Length).ToArray(), options.Shape, stream.Labels);
        Dataset? Held(ShardSource? source)
        {
            if (source is null) return null;
            var (reader, labels) = EncodedImageReader.Load(source, options, threads, counters);
            return new Dataset(reader, Enumerable.Range(0, labels.Length).ToArray(), options.Shape, labels);
        }

        var names = train.Manifest.Classes;
        var splits = DatasetLoader.Finish(spec, seed, trainSet, Held(validation), Held(test), names);
        return splits with { Input = counters };
    }

    private static (int Width, int Height, int Channels) Probe(RawSample sample, string field)
    {
        try
        {
            return ImageDecoder.Probe(sample.Image, sample.Name);
        }
        catch (BadImageException e)
        {
            throw new JobInputException(field, e.Reason, e.File, e);
        }
    }

    /// <summary>The spec's mean and std, or per-channel statistics of the first shard's first 1,000 samples.</summary>
    private static (float[] Mean, float[] Std) Normalization(DataSpec spec, RawSample[] sample, ImageOptions probe, int threads)
    {
        var channels = probe.Channels;
        if (!spec.Normalize) return (new float[channels], Enumerable.Repeat(1f, channels).ToArray());
        if (spec.Mean is { } mean && spec.Std is { } std)
        {
            if (mean.Count != channels) throw new JobInputException("data.mean", $"has {mean.Count} values; the images have {channels} channels");
            return (mean.Select(v => (float)v).ToArray(), std.Select(v => (float)v).ToArray());
        }

        var reader = new EncodedImageReader(sample, probe, threads, new InputCounters(), "data.train");
        return ChannelStatistics.Of(reader, sample.Length, probe, threads);
    }
}
