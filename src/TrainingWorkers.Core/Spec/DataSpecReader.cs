using System.Text.Json;

namespace TrainingWorkers.Core.Spec;

internal static class DataSpecReader
{
    private static readonly string[] ImageFields = ["image_size", "channels", "mean", "std", "augment", "bad_images"];

    public static DataSpec? Read(SpecReader r)
    {
        var format = r.Enum("format", DataFormat.Idx);
        var images = format is DataFormat.ImageFolder or DataFormat.Webdataset;
        var train = r.String("train", null);
        if (train is null) r.Error("train", format switch
        {
            DataFormat.Idx => $"is required: a directory with the IDX files, or \"{DataSpec.FashionMnistAlias}\"",
            DataFormat.Csv => "is required: the training CSV file",
            DataFormat.ImageFolder => "is required: a directory (or s3:// prefix) with one subfolder of images per class",
            _ => "is required: a directory (or s3:// prefix) of tar shards written by tw dataset pack",
        });
        var task = r.Enum("task", TaskKind.Classification);
        if (format != DataFormat.Csv && task == TaskKind.Regression) r.Error("task", "image data is classification only");

        var validation = r.String("validation", null);
        if (format == DataFormat.Idx) r.Forbid("validation", "is for CSV data; IDX data holds out validation_split of the training files");
        var split = r.Number("validation_split", validation is null ? 0.1 : 0.0, v => v is >= 0 and < 1, "must be >= 0 and < 1");
        if (validation is not null && r.Has("validation_split") && split > 0) r.Error("validation_split", "cannot be used together with a validation file");
        if (format == DataFormat.Webdataset && split > 0 && r.Has("validation_split")) r.Error("validation_split", "a stream cannot hold examples out: give a validation prefix of shards");
        if (format == DataFormat.Webdataset && validation is null) split = 0;

        var test = r.String("test", null);
        if (format == DataFormat.Idx) r.Forbid("test", "is for CSV data; IDX directories hold their own t10k test files (see use_test_set)");
        var classes = r.IntArray("classes", 2, c => c >= 0, "must be >= 0");
        if (classes is not null && classes.Distinct().Count() != classes.Count) r.Error("classes", "must not repeat a class");
        if (classes is not null && task == TaskKind.Regression) r.Error("classes", "applies to classification only");
        var classNames = r.StringArray("class_names");
        if (classNames is not null && classes is not null && classNames.Count != classes.Count)
        {
            r.Error("class_names", $"must name each of the {classes.Count} selected classes, got {classNames.Count} names");
        }

        var labelColumn = r.String("label_column", "label")!;
        if (format != DataFormat.Csv && r.Has("label_column")) r.Error("label_column", "is for CSV data");
        if (format == DataFormat.Webdataset)
        {
            foreach (var f in new[] { "train_limit", "test_limit", "classes" }) r.Forbid(f, "does not apply to a stream of shards");
        }

        if (!images)
        {
            foreach (var f in ImageFields) r.Forbid(f, "is for image data (format image_folder or webdataset)");
        }

        if (format != DataFormat.Webdataset) r.Forbid("shuffle_buffer", "is for format webdataset");
        var channels = r.NullableInt("channels", c => c is 1 or 3, "must be 1 (grayscale) or 3 (RGB)");
        var mean = NumberArray(r, "mean", v => v is >= 0 and <= 1, "must be between 0 and 1");
        var std = NumberArray(r, "std", v => v is > 0 and <= 1, "must be > 0 and <= 1");
        if ((mean is null) != (std is null)) r.Error(mean is null ? "std" : "mean", "mean and std go together");
        if (mean is not null && std is not null && mean.Count != std.Count) r.Error("std", $"must have as many values as mean ({mean.Count})");
        if (channels is { } c && mean is not null && mean.Count != c) r.Error("mean", $"must have one value per channel ({c})");

        var spec = train is null ? null : new DataSpec
        {
            Format = format,
            Train = train,
            Validation = validation,
            Test = test,
            UseTestSet = r.Bool("use_test_set", true),
            ValidationSplit = split,
            TrainLimit = r.NullableInt("train_limit", v => v > 0, "must be > 0"),
            TestLimit = r.NullableInt("test_limit", v => v > 0, "must be > 0"),
            Classes = classes,
            Task = task,
            LabelColumn = labelColumn,
            Normalize = r.Bool("normalize", true),
            ClassNames = classNames,
            ImageSize = ImageSize(r),
            Channels = channels,
            Mean = mean,
            Std = std,
            Augment = AugmentSpecReader.Read(r.Object("augment")),
            LoaderThreads = r.NullableInt("loader_threads", v => v is >= 0 and <= 64, "must be between 0 (on the training thread) and 64"),
            Prefetch = r.Int("prefetch", 4, v => v is >= 1 and <= 64, "must be between 1 and 64"),
            BadImages = r.Enum("bad_images", BadImagePolicy.Error),
            ShuffleBuffer = r.Int("shuffle_buffer", 2000, v => v is >= 1 and <= 1_000_000, "must be between 1 and 1000000"),
        };
        r.RejectUnknownFields();
        return spec;
    }

    /// <summary>An integer for a square, or [height, width].</summary>
    private static IReadOnlyList<int>? ImageSize(SpecReader r)
    {
        const string rule = "must be between 1 and 4096";
        if (r.Kind("image_size") == JsonValueKind.Number)
        {
            var side = r.NullableInt("image_size", v => v is >= 1 and <= 4096, rule);
            return side is { } s ? [s, s] : null;
        }

        var size = r.IntArray("image_size", 2, v => v is >= 1 and <= 4096, rule);
        if (size is not null && size.Count != 2) r.Error("image_size", $"must be one number or [height, width], got {size.Count} numbers");
        return size is { Count: 2 } ? size : null;
    }

    internal static IReadOnlyList<double>? NumberArray(SpecReader r, string name, Func<double, bool> rule, string ruleText)
    {
        var items = r.Array(name, 1);
        if (items is null) return null;
        var values = new List<double>();
        for (var i = 0; i < items.Count; i++)
        {
            var e = items[i].Element;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && double.IsFinite(d) && rule(d)) values.Add(d);
            else r.Error($"{name}[{i}]", e.ValueKind == JsonValueKind.Number ? $"{ruleText}, got {e.GetRawText()}" : "must be a number");
        }

        return values.Count == items.Count ? values : null;
    }
}
