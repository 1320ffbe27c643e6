namespace TrainingWorkers.Core.Spec;

/// <summary>How the training data is stored.</summary>
public enum DataFormat
{
    /// <summary>The four gzipped IDX files of Fashion-MNIST (or MNIST) in one directory.</summary>
    Idx,
    /// <summary>Numeric feature columns and one label column, with a header row.</summary>
    Csv,
    /// <summary>One subfolder of PNG/JPEG files per class (torchvision's ImageFolder layout).</summary>
    ImageFolder,
    /// <summary>Tar shards of encoded images and labels (the WebDataset layout, written by <c>tw dataset pack</c>), streamed shard by shard.</summary>
    Webdataset,
}

/// <summary>What to do with an image that cannot be decoded.</summary>
public enum BadImagePolicy
{
    /// <summary>Stop the run with an error naming the file.</summary>
    Error,
    /// <summary>Leave it out and count it in the report.</summary>
    Skip,
}

/// <summary>What the labels are.</summary>
public enum TaskKind
{
    Classification,
    Regression,
}

/// <summary>The data to train, validate and test on.</summary>
public sealed record DataSpec
{
    /// <summary>The alias that names Debian's copy of Fashion-MNIST (package dataset-fashion-mnist).</summary>
    public const string FashionMnistAlias = "fashion-mnist";
    public const string DebianFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    public DataFormat Format { get; init; } = DataFormat.Idx;
    /// <summary>IDX: a directory (or the alias <c>fashion-mnist</c>). CSV: the training file.</summary>
    public required string Train { get; init; }
    /// <summary>CSV: a separate validation file; when null, <see cref="ValidationSplit"/> of the training data is held out.</summary>
    public string? Validation { get; init; }
    /// <summary>CSV: a test file. IDX: the directory's t10k files are the test set unless <see cref="UseTestSet"/> is false.</summary>
    public string? Test { get; init; }
    public bool UseTestSet { get; init; } = true;
    public double ValidationSplit { get; init; } = 0.1;
    /// <summary>Use only the first N training examples (before the validation split): for quick runs.</summary>
    public int? TrainLimit { get; init; }
    public int? TestLimit { get; init; }
    /// <summary>Keep only these classes (relabelled 0..k-1 in this order): for transfer-learning splits.</summary>
    public IReadOnlyList<int>? Classes { get; init; }
    public TaskKind Task { get; init; } = TaskKind.Classification;
    /// <summary>CSV: the label column's header name.</summary>
    public string LabelColumn { get; init; } = "label";
    /// <summary>Standardize features with the training set's mean and standard deviation.</summary>
    public bool Normalize { get; init; } = true;
    /// <summary>Optional names of the classes, for reports and the confusion matrix.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
    /// <summary>Images: the [height, width] every image is resized (or cropped) to; null: the first training image's size, which all must have.</summary>
    public IReadOnlyList<int>? ImageSize { get; init; }
    /// <summary>Images: 1 (grayscale) or 3 (RGB); null: the first training image's.</summary>
    public int? Channels { get; init; }
    /// <summary>Images: per-channel mean and standard deviation of pixels in [0, 1]; null: estimated from training images when <see cref="Normalize"/>.</summary>
    public IReadOnlyList<double>? Mean { get; init; }
    public IReadOnlyList<double>? Std { get; init; }
    /// <summary>Images: training-time augmentation; null: none.</summary>
    public AugmentSpec? Augment { get; init; }
    /// <summary>Threads that prepare batches ahead of the training step; null: 1 for in-memory data, up to 4 for images; 0: on the training thread.</summary>
    public int? LoaderThreads { get; init; }
    /// <summary>Batches prepared ahead of the step.</summary>
    public int Prefetch { get; init; } = 4;
    /// <summary>Images: a file that does not decode stops the run, or is left out and counted.</summary>
    public BadImagePolicy BadImages { get; init; } = BadImagePolicy.Error;
    /// <summary>Webdataset: examples held in the shuffle buffer.</summary>
    public int ShuffleBuffer { get; init; } = 2000;

    /// <summary>Whether the examples are encoded images.</summary>
    public bool IsImages => Format is DataFormat.ImageFolder or DataFormat.Webdataset;

    /// <summary>The same spec with relative file paths taken from <paramref name="directory"/> (the spec file's).</summary>
    public DataSpec RelativeTo(string directory)
    {
        string? Resolve(string? path) => path == FashionMnistAlias || IsRemote(path) ? path : JobSpec.ResolvePath(directory, path);
        return this with { Train = Resolve(Train)!, Validation = Resolve(Validation), Test = Resolve(Test) };
    }

    /// <summary>Whether <paramref name="path"/> is an S3 URI (streamed or fetched, never a local path).</summary>
    public static bool IsRemote(string? path) => path is not null && path.StartsWith("s3://", StringComparison.Ordinal);

    /// <summary>The directory or file <see cref="Train"/> points to, with the alias resolved.</summary>
    public string ResolvedTrain => Train == FashionMnistAlias ? DebianFashionMnistDirectory : Train;
}
