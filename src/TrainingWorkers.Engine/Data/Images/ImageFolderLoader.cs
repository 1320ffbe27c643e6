using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Data.Images;

/// <summary>
/// Loads <c>data.format: image_folder</c>: indexes the class folders, settles the image size, channels and
/// normalization, and returns data sets whose images are decoded on each read by the loader threads.
/// </summary>
internal static class ImageFolderLoader
{
    private const int StatisticsSample = 1000;

    public static (ImageFolderIndex Train, ImageFolderIndex? Validation, ImageFolderIndex? Test) Scan(DataSpec spec, DataLocationPolicy policy)
    {
        var emptyIsError = spec.BadImages == BadImagePolicy.Error;
        var train = ImageFolderIndex.Scan(spec.Train, "data.train", policy, null, emptyIsError);
        var validation = spec.Validation is null ? null : ImageFolderIndex.Scan(spec.Validation, "data.validation", policy, train.Classes, emptyIsError);
        var test = spec.Test is null ? null : ImageFolderIndex.Scan(spec.Test, "data.test", policy, train.Classes, emptyIsError);
        return (train, validation, test);
    }

    public static DataSplits Load(DataSpec spec, ulong seed, DataLocationPolicy policy)
    {
        var (train, validation, test) = Scan(spec, policy);
        var counters = new InputCounters();
        var threads = Math.Max(1, spec.LoaderThreads ?? DefaultThreads);
        var first = Probe(train.Files[0], "data.train");
        var (height, width) = spec.ImageSize is { } size ? (size[0], size[1]) : (first.Height, first.Width);
        var probe = new ImageOptions(height, width, spec.Channels ?? first.Channels, [0, 0, 0], [1, 1, 1], null);
        if (spec.BadImages == BadImagePolicy.Skip)
        {
            train = WithoutBadImages(train, probe, threads, counters);
            validation = validation is null ? null : WithoutBadImages(validation, probe, threads, counters);
            test = test is null ? null : WithoutBadImages(test, probe, threads, counters);
        }

        var (mean, std) = Normalization(spec, train, probe, seed, threads);
        var options = probe with { Mean = mean, Std = std, Augment = spec.Augment };
        Dataset Make(ImageFolderIndex index, string field, int? limit)
        {
            var items = Enumerable.Range(0, index.Files.Length).ToArray();
            // The files are in class order: a limit takes a seeded sample, not the first classes.
            if (limit is { } n && n < items.Length) items = [.. Shuffle.Permutation(items.Length, seed, ulong.MaxValue - 1)[..n].Order()];
            var reader = new ImageExampleReader(index.Files, options, threads, counters, field);
            return new Dataset(reader, items, options.Shape, items.Select(i => index.Labels[i]).ToArray());
        }

        var splits = DatasetLoader.Finish(spec, seed, Make(train, "data.train", spec.TrainLimit),
            validation is null ? null : Make(validation, "data.validation", null),
            test is null ? null : Make(test, "data.test", spec.TestLimit), train.Classes);
        return splits with { Input = counters };
    }

    /// <summary>Loader threads when data.loader_threads is unset: up to 4, never more than the cores.</summary>
    public static int DefaultThreads => Math.Clamp(Environment.ProcessorCount, 1, 4);

    private static (int Width, int Height, int Channels) Probe(string file, string field)
    {
        try
        {
            return ImageDecoder.Probe(ImageDecoder.ReadFile(file), file);
        }
        catch (BadImageException e)
        {
            throw new JobInputException(field, e.Reason + " (data.bad_images \"skip\" leaves such files out)", e.File, e);
        }
    }

    // Decodes every image once, on the loader threads, and keeps those that decode.
    private static ImageFolderIndex WithoutBadImages(ImageFolderIndex index, ImageOptions options, int threads, InputCounters counters)
    {
        var good = new bool[index.Files.Length];
        Parallel.For(0, good.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            try
            {
                using var image = ImageDecoder.Decode(ImageDecoder.ReadFile(index.Files[i]), options.Channels, index.Files[i]);
                good[i] = true;
            }
            catch (BadImageException)
            {
                good[i] = false;
            }
        });
        var keep = Enumerable.Range(0, good.Length).Where(i => good[i]).ToArray();
        counters.Skipped(good.Length - keep.Length);
        return index with { Files = keep.Select(i => index.Files[i]).ToArray(), Labels = keep.Select(i => index.Labels[i]).ToArray() };
    }

    /// <summary>The spec's mean and std, or per-channel statistics of up to 1,000 training images (a seeded sample).</summary>
    private static (float[] Mean, float[] Std) Normalization(DataSpec spec, ImageFolderIndex train, ImageOptions probe, ulong seed, int threads)
    {
        var channels = probe.Channels;
        if (!spec.Normalize) return (new float[channels], Enumerable.Repeat(1f, channels).ToArray());
        if (spec.Mean is { } mean && spec.Std is { } std)
        {
            if (mean.Count != channels) throw new JobInputException("data.mean", $"has {mean.Count} values; the images have {channels} channels");
            return (mean.Select(v => (float)v).ToArray(), std.Select(v => (float)v).ToArray());
        }

        var sample = Shuffle.Permutation(train.Files.Length, seed, ulong.MaxValue - 2).Take(StatisticsSample).ToArray();
        var reader = new ImageExampleReader(train.Files, probe, threads, new InputCounters(), "data.train");
        return ChannelStatistics.Of(reader, sample.Length, probe, threads, sample);
    }
}
