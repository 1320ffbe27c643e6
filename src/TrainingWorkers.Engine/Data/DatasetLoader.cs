using System.Globalization;
using TrainingWorkers.Core.Data;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Loads a spec's data: reads the files, selects classes, limits, splits and normalizes. Every problem with
/// the data is a <see cref="JobInputException"/> that names the spec field and the file.
/// </summary>
public static class DatasetLoader
{
    private static readonly string[] FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <param name="seed">Chooses the held-out validation examples.</param>
    /// <param name="policy">Where local data may be read from; default: the operator's <c>TW_DATA_ALLOW</c> (unrestricted when unset).</param>
    /// <param name="remote">Streams a webdataset's s3:// shards through the instance's cache; null: local data only.</param>
    public static DataSplits Load(DataSpec spec, ulong seed, DataLocationPolicy? policy = null, IRemoteDataFiles? remote = null)
    {
        policy ??= DataLocationPolicy.FromEnvironment();
        foreach (var (path, field) in new[] { (spec.Train, "data.train"), (spec.Validation, "data.validation"), (spec.Test, "data.test") })
        {
            if (DataSpec.IsRemote(path) && (spec.Format != DataFormat.Webdataset || remote is null))
            {
                throw new JobInputException(field, "an s3:// location is fetched by a worker (tw submit); tw run reads local data, and streams webdataset shards from s3:// only with TW_Aws__ settings", path);
            }
        }

        return spec.Format switch
        {
            DataFormat.Idx => LoadIdx(spec, seed, policy),
            DataFormat.Csv => LoadCsv(spec, seed, policy),
            DataFormat.ImageFolder => Images.ImageFolderLoader.Load(spec, seed, policy),
            _ => Shards.WebDatasetLoader.Load(spec, seed, policy, remote),
        };
    }

    private static DataSplits LoadIdx(DataSpec spec, ulong seed, DataLocationPolicy policy)
    {
        var dir = spec.ResolvedTrain;
        DataFile.RequireDirectory(dir, "data.train", policy, spec.Train == DataSpec.FashionMnistAlias ? " (install Debian's dataset-fashion-mnist: make setup)" : "");
        // class_names with a class selection names the selected classes (see Finish).
        var names = (spec.Classes is null ? spec.ClassNames : null) ?? (dir.Contains("fashion", StringComparison.OrdinalIgnoreCase) ? FashionMnistClasses : Enumerable.Range(0, 10).Select(Invariant).ToArray());
        var train = ReadIdxPair(dir, "train", spec.TrainLimit, names.Count, policy);
        var test = spec.UseTestSet ? ReadIdxPair(dir, "t10k", spec.TestLimit, names.Count, policy) : null;
        if (test is not null && !test.Shape.SequenceEqual(train.Shape))
        {
            throw new JobInputException("data.train", $"the t10k test images are {Shape(test)}, the training images {Shape(train)}: both must be the same size", dir);
        }

        return Finish(spec, seed, train, validation: null, test, names);
    }

    private static Dataset ReadIdxPair(string dir, string prefix, int? limit, int classes, DataLocationPolicy policy)
    {
        var imagesFile = Find(dir, $"{prefix}-images-idx3-ubyte", policy);
        var labelsFile = Find(dir, $"{prefix}-labels-idx1-ubyte", policy);
        var (pixels, shape) = IdxReader.ReadImages(imagesFile, "data.train", policy, limit);
        var labels = IdxReader.ReadLabels(labelsFile, "data.train", policy, limit);
        if (labels.Length * shape.Aggregate(1, (a, b) => a * b) != pixels.Length)
        {
            throw new JobInputException("data.train", $"the {prefix} image and label files hold different numbers of examples", dir);
        }

        var bad = Array.FindIndex(labels, l => l >= classes);
        if (bad >= 0)
        {
            throw new JobInputException("data.train", $"example {bad + 1} has label {labels[bad]}, outside the {classes} classes 0..{classes - 1} (data.class_names names more)", labelsFile);
        }

        return new Dataset(pixels, shape, labels, null);
    }

    private static string Find(string dir, string name, DataLocationPolicy policy)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(dir, candidate);
            if (PosixFile.KindOf(path) != FileKind.Missing)
            {
                DataFile.RequireFile(path, "data.train", policy);
                return path;
            }
        }

        throw new JobInputException("data.train", $"the directory has no {name}[.gz]", dir);
    }

    private static DataSplits LoadCsv(DataSpec spec, ulong seed, DataLocationPolicy policy)
    {
        var trainTable = CsvTable.Read(spec.Train, "data.train", spec.LabelColumn, policy);
        var validation = spec.Validation is null ? null : CsvTable.Read(spec.Validation, "data.validation", spec.LabelColumn, policy);
        var test = spec.Test is null ? null : CsvTable.Read(spec.Test, "data.test", spec.LabelColumn, policy);
        foreach (var (table, field) in new[] { (validation, "data.validation"), (test, "data.test") })
        {
            if (table is not null && !table.FeatureNames.SequenceEqual(trainTable.FeatureNames, StringComparer.Ordinal))
            {
                throw new JobInputException(field, "must have the same columns, in the same order, as the training file", $"{table.Path}:1");
            }
        }

        if (spec.Task == TaskKind.Regression)
        {
            Dataset ToRegression(CsvTable t, string field) => new(t.Features, [t.FeatureNames.Length], null,
                t.Labels.Select((l, i) => ParseTarget(l, t, i, field)).ToArray());
            return Finish(spec, seed, Limit(ToRegression(trainTable, "data.train"), spec.TrainLimit),
                validation is null ? null : ToRegression(validation, "data.validation"),
                test is null ? null : Limit(ToRegression(test, "data.test"), spec.TestLimit), []);
        }

        // Class names: numeric labels in numeric order, text labels in ordinal order.
        var distinct = trainTable.Labels.Distinct().ToList();
        var numeric = distinct.All(l => long.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        var names = numeric ? distinct.OrderBy(l => long.Parse(l, CultureInfo.InvariantCulture)).ToList() : distinct.Order(StringComparer.Ordinal).ToList();
        var ids = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => (long)p.i, StringComparer.Ordinal);
        Dataset ToClasses(CsvTable t, string field) => new(t.Features, [t.FeatureNames.Length],
            t.Labels.Select((l, i) => ids.TryGetValue(l, out var id) ? id
                : throw new JobInputException(field, $"the label '{FailureText.Bound(l, FailureText.MaxName)}' does not occur in the training data (data.train)", $"{t.Path}:{t.Lines[i]}")).ToArray(), null);
        return Finish(spec, seed, Limit(ToClasses(trainTable, "data.train"), spec.TrainLimit),
            validation is null ? null : ToClasses(validation, "data.validation"),
            test is null ? null : Limit(ToClasses(test, "data.test"), spec.TestLimit), names);
    }

    private static Dataset Limit(Dataset data, int? limit) => limit is { } n ? data.Take(n) : data;

    private static float ParseTarget(string text, CsvTable table, int row, string field) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v)
            ? v
            : throw new JobInputException(field, $"the label '{FailureText.Bound(text, FailureText.MaxName)}' is not a number (data.task is regression)", $"{table.Path}:{table.Lines[row]}");

    /// <summary>Class selection and names, the validation split and normalization: the same for every format.</summary>
    internal static DataSplits Finish(DataSpec spec, ulong seed, Dataset train, Dataset? validation, Dataset? test, IReadOnlyList<string> names)
    {
        if (spec.Classes is { } classes)
        {
            var known = names.Count;
            foreach (var c in classes.Where(c => c >= known)) throw new JobInputException("data.classes", $"class {c} does not exist (the data has {known} classes)");
            train = SelectClasses(train, classes);
            validation = validation is null ? null : SelectClasses(validation, classes);
            test = test is null ? null : SelectClasses(test, classes);
            names = spec.ClassNames ?? classes.Select(c => names[c]).ToList();
        }
        else if (spec.ClassNames is { } given)
        {
            if (given.Count != names.Count) throw new JobInputException("data.class_names", $"{given.Count} names for {names.Count} classes");
            names = given;
        }

        if (train.IsClassification && names.Count < 2)
        {
            throw new JobInputException("data.train", $"classification needs at least 2 classes; the training data has {names.Count} ('{FailureText.Bound(string.Join("', '", names), FailureText.MaxName)}')", spec.Train);
        }

        if (validation is null && spec.ValidationSplit > 0)
        {
            (train, validation) = Split(train, spec.ValidationSplit, seed);
        }

        if (train.Count == 0) throw new JobInputException("data", "no training examples are left after the class selection, limit and validation split");
        if (spec.Normalize && train.InMemory) Normalizer.Fit(train).Apply(train, validation, test);
        var outputs = train.IsClassification ? names.Count : train.Outputs;
        return new DataSplits(train, validation, test, spec.Task, outputs, names);
    }

    private static Dataset SelectClasses(Dataset data, IReadOnlyList<int> classes)
    {
        var map = classes.Select((c, i) => (c, i)).ToDictionary(p => (long)p.c, p => (long)p.i);
        var keep = Enumerable.Range(0, data.Count).Where(i => map.ContainsKey(data.Labels![i])).ToArray();
        var selected = data.Select(keep);
        for (var i = 0; i < selected.Count; i++) selected.Labels![i] = map[selected.Labels[i]];
        return selected;
    }

    private static (Dataset Train, Dataset Validation) Split(Dataset data, double fraction, ulong seed)
    {
        var order = Shuffle.Permutation(data.Count, seed, stream: ulong.MaxValue);
        var held = Math.Max(1, (int)Math.Round(data.Count * fraction));
        if (held >= data.Count) throw new JobInputException("data.validation_split", $"{fraction} of {data.Count} examples leaves none to train on");
        return (data.Select(order[..^held]), data.Select(order[^held..]));
    }

    private static string Shape(Dataset d) => string.Join(" x ", d.Shape.Skip(1));

    private static string Invariant(int i) => i.ToString(CultureInfo.InvariantCulture);
}
