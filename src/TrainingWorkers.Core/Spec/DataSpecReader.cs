namespace TrainingWorkers.Core.Spec;

internal static class DataSpecReader
{
    public static DataSpec? Read(SpecReader r)
    {
        var format = r.Enum("format", DataFormat.Idx);
        var train = r.String("train", null);
        if (train is null) r.Error("train", format == DataFormat.Idx
            ? $"is required: a directory with the IDX files, or \"{DataSpec.FashionMnistAlias}\""
            : "is required: the training CSV file");
        var task = r.Enum("task", TaskKind.Classification);
        if (format == DataFormat.Idx && task == TaskKind.Regression) r.Error("task", "IDX image data is classification only");

        var validation = r.String("validation", null);
        if (format == DataFormat.Idx) r.Forbid("validation", "is for CSV data; IDX data holds out validation_split of the training files");
        var split = r.Number("validation_split", validation is null ? 0.1 : 0.0, v => v is >= 0 and < 1, "must be >= 0 and < 1");
        if (validation is not null && r.Has("validation_split") && split > 0) r.Error("validation_split", "cannot be used together with a validation file");

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
        if (format == DataFormat.Idx && r.Has("label_column")) r.Error("label_column", "is for CSV data");

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
        };
        r.RejectUnknownFields();
        return spec;
    }
}
