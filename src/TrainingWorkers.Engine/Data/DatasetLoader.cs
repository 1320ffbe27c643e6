using System.Globalization;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Data;

/// <summary>Loads a spec's data: reads the files, selects classes, limits, splits and normalizes.</summary>
public static class DatasetLoader
{
    private static readonly string[] FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <param name="seed">Chooses the held-out validation examples.</param>
    public static DataSplits Load(DataSpec spec, ulong seed) =>
        spec.Format == DataFormat.Idx ? LoadIdx(spec, seed) : LoadCsv(spec, seed);

    private static DataSplits LoadIdx(DataSpec spec, ulong seed)
    {
        var dir = spec.ResolvedTrain;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"data.train: '{dir}' is not a directory{(spec.Train == DataSpec.FashionMnistAlias ? " (install Debian's dataset-fashion-mnist: make setup)" : "")}");
        var train = ReadIdxPair(dir, "train", spec.TrainLimit);
        var test = spec.UseTestSet ? ReadIdxPair(dir, "t10k", spec.TestLimit) : null;
        var names = dir.Contains("fashion", StringComparison.OrdinalIgnoreCase) ? FashionMnistClasses : Enumerable.Range(0, 10).Select(Invariant).ToArray();
        return Finish(spec, seed, train, validation: null, test, names);
    }

    private static Dataset ReadIdxPair(string dir, string prefix, int? limit)
    {
        var (pixels, shape) = IdxReader.ReadImages(Find(dir, $"{prefix}-images-idx3-ubyte"), limit);
        var labels = IdxReader.ReadLabels(Find(dir, $"{prefix}-labels-idx1-ubyte"), limit);
        if (labels.Length * shape.Aggregate(1, (a, b) => a * b) != pixels.Length) throw new InvalidDataException($"{dir}: the {prefix} image and label files hold different numbers of examples");
        return new Dataset(pixels, shape, labels, null);
    }

    private static string Find(string dir, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(dir, candidate);
            if (File.Exists(path)) return path;
        }

        throw new FileNotFoundException($"data.train: '{dir}' has no {name}[.gz]");
    }

    private static DataSplits LoadCsv(DataSpec spec, ulong seed)
    {
        var trainTable = CsvTable.Read(spec.Train, spec.LabelColumn);
        var tables = new[] { spec.Validation, spec.Test }.Select(p => p is null ? null : CsvTable.Read(p, spec.LabelColumn)).ToArray();
        foreach (var table in tables.Where(t => t is not null && !t.FeatureNames.SequenceEqual(trainTable.FeatureNames)))
        {
            throw new InvalidDataException("the validation and test files must have the same columns as the training file");
        }

        if (spec.Task == TaskKind.Regression)
        {
            Dataset ToRegression(CsvTable t, string path) => new(t.Features, [t.FeatureNames.Length], null,
                t.Labels.Select((l, i) => ParseTarget(l, path, i)).ToArray());
            return Finish(spec, seed, Limit(ToRegression(trainTable, spec.Train), spec.TrainLimit),
                tables[0] is null ? null : ToRegression(tables[0]!, spec.Validation!),
                tables[1] is null ? null : Limit(ToRegression(tables[1]!, spec.Test!), spec.TestLimit), []);
        }

        // Class names: numeric labels in numeric order, text labels in ordinal order.
        var distinct = trainTable.Labels.Distinct().ToList();
        var numeric = distinct.All(l => int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        var names = numeric ? distinct.OrderBy(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList() : distinct.Order(StringComparer.Ordinal).ToList();
        var ids = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => (long)p.i, StringComparer.Ordinal);
        Dataset ToClasses(CsvTable t, string path) => new(t.Features, [t.FeatureNames.Length],
            t.Labels.Select(l => ids.TryGetValue(l, out var id) ? id : throw new InvalidDataException($"{path}: label '{l}' does not occur in the training data")).ToArray(), null);
        return Finish(spec, seed, Limit(ToClasses(trainTable, spec.Train), spec.TrainLimit),
            tables[0] is null ? null : ToClasses(tables[0]!, spec.Validation!),
            tables[1] is null ? null : Limit(ToClasses(tables[1]!, spec.Test!), spec.TestLimit), names);
    }

    private static Dataset Limit(Dataset data, int? limit) => limit is { } n ? data.Take(n) : data;

    private static float ParseTarget(string text, string path, int row) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v)
            ? v
            : throw new InvalidDataException($"{path}: row {row + 1}: the label '{text}' is not a number (data.task is regression)");

    private static DataSplits Finish(DataSpec spec, ulong seed, Dataset train, Dataset? validation, Dataset? test, IReadOnlyList<string> names)
    {
        if (spec.Classes is { } classes)
        {
            var known = names.Count;
            foreach (var c in classes.Where(c => c >= known)) throw new InvalidDataException($"data.classes: class {c} does not exist (the data has {known} classes)");
            train = SelectClasses(train, classes);
            validation = validation is null ? null : SelectClasses(validation, classes);
            test = test is null ? null : SelectClasses(test, classes);
            names = spec.ClassNames ?? classes.Select(c => names[c]).ToList();
        }
        else if (spec.ClassNames is { } given)
        {
            if (given.Count != names.Count) throw new InvalidDataException($"data.class_names: {given.Count} names for {names.Count} classes");
            names = given;
        }

        if (validation is null && spec.ValidationSplit > 0)
        {
            (train, validation) = Split(train, spec.ValidationSplit, seed);
        }

        if (train.Count == 0) throw new InvalidDataException("data: no training examples are left after the class selection, limit and validation split");
        if (spec.Normalize) Normalizer.Fit(train).Apply(train, validation, test);
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
        if (held >= data.Count) throw new InvalidDataException($"data.validation_split: {fraction} of {data.Count} examples leaves none to train on");
        return (data.Select(order[..^held]), data.Select(order[^held..]));
    }

    private static string Invariant(int i) => i.ToString(CultureInfo.InvariantCulture);
}
