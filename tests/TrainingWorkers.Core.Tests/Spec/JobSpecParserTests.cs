using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Tests.Spec;

public class JobSpecParserTests
{
    private const string Minimal = """{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "fashion-mnist" } }""";

    /// <summary>A minimal spec with one section replaced or added.</summary>
    private static string With(string section, string json) =>
        $$"""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "fashion-mnist" }, "{{section}}": {{json}} }""";

    private static IReadOnlyList<string> Errors(string json) =>
        Assert.Throws<InvalidSpecException>(() => JobSpecParser.Parse(json)).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void Parse_MinimalSpec_FillsDefaultsThatWork()
    {
        var spec = JobSpecParser.Parse(Minimal);
        Assert.Equal(ModelType.Mlp, spec.Model.Type);
        Assert.Equal(DataSpec.DebianFashionMnistDirectory, spec.Data.ResolvedTrain);
        Assert.Equal(0.1, spec.Data.ValidationSplit);
        Assert.Equal(OptimizerType.Adam, spec.Training.Optimizer.Type);
        Assert.Equal("val_loss", spec.EarlyStopping!.Monitor);
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsEveryOneWithItsPath()
    {
        var errors = Errors("""
            { "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "fashion-mnist" },
              "training": { "learning_rate": -0.1, "epochs": -1, "optimizer": { "type": "sgd", "beta1": 0.9 } },
              "extra": 1 }
            """);
        Assert.Contains("training.learning_rate: must be > 0, got -0.1", errors);
        Assert.Contains("training.epochs: must be between 0 (evaluate only) and 100000, got -1", errors);
        Assert.Contains("training.optimizer.beta1: does not apply to sgd (only to adam, adamw)", errors);
        Assert.Contains("extra: unknown field", errors);
        Assert.Equal(4, errors.Count);
    }

    [Theory]
    [InlineData("""{ "name": "job", "data": { "train": "x" } }""", "apiVersion: is required (\"trainingworkers/v1\")")]
    [InlineData("""{ "apiVersion": "trainingworkers/v2", "name": "job", "data": { "train": "x" } }""", "apiVersion: must be \"trainingworkers/v1\", got \"trainingworkers/v2\"")]
    [InlineData("""{ "apiVersion": "trainingworkers/v1", "data": { "train": "x" } }""", "name: is required")]
    [InlineData("""{ "apiVersion": "trainingworkers/v1", "name": "a b", "data": { "train": "x" } }""", "name: must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, got \"a b\"")]
    [InlineData("""{ "apiVersion": "trainingworkers/v1", "name": "job" }""", "data: is required")]
    [InlineData("""[1]""", "$: must be a JSON object")]
    [InlineData("""{ "apiVersion": """, "$: is not valid JSON")]
    public void Parse_TopLevelRule_IsReported(string json, string expected) =>
        Assert.Contains(Errors(json), e => e.StartsWith(expected, StringComparison.Ordinal));

    [Theory]
    [InlineData("model", """{ "type": "transformer" }""", "model.type: must be one of mlp, cnn, resnet, torchscript, got 'transformer'")]
    [InlineData("model", """{ "hidden": [] }""", "model.hidden: must have at least 1 element, got 0")]
    [InlineData("model", """{ "hidden": [64, 0] }""", "model.hidden[1]: must be between 1 and 65536, got 0")]
    [InlineData("model", """{ "hidden": "64" }""", "model.hidden: must be an array, got the string \"64\"")]
    [InlineData("model", """{ "activation": "sigmoid" }""", "model.activation: must be one of relu, tanh, leaky_relu, prelu, gelu, swish, got 'sigmoid'")]
    [InlineData("model", """{ "dropout": 1 }""", "model.dropout: must be >= 0 and < 1, got 1")]
    [InlineData("model", """{ "type": "mlp", "conv": [] }""", "model.conv: applies to cnn only")]
    [InlineData("model", """{ "type": "cnn", "conv": [ { "kernel": 3 } ] }""", "model.conv[0].filters: is required")]
    [InlineData("model", """{ "type": "cnn", "conv": [ { "filters": 8, "kernel": 4 } ] }""", "model.conv[0].kernel: must be an odd number between 1 and 11, got 4")]
    [InlineData("model", """{ "type": "cnn", "conv": [ { "filters": 8, "pool": 5 } ] }""", "model.conv[0].pool: must be between 1 (no pooling) and 4, got 5")]
    [InlineData("model", """{ "type": "cnn", "conv": [ 3 ] }""", "model.conv[0]: must be an object, got 3")]
    [InlineData("model", """{ "type": "cnn", "batch_norm": true }""", "model.batch_norm: applies to mlp; conv blocks have their own batch_norm")]
    [InlineData("model", """{ "type": "resnet", "hidden": [10] }""", "model.hidden: does not apply to resnet (its head is global pooling and one linear layer)")]
    [InlineData("model", """{ "type": "resnet", "blocks_per_stage": 0 }""", "model.blocks_per_stage: must be between 1 and 16, got 0")]
    [InlineData("model", """{ "stages": [16] }""", "model.stages: applies to resnet only")]
    [InlineData("training", """{ "batch_size": 0 }""", "training.batch_size: must be between 1 and 1048576, got 0")]
    [InlineData("training", """{ "epochs": 0 }""", "training.epochs: may be 0 (evaluate only) only for a pretrained model: set fine_tune.from or model.type torchscript")]
    [InlineData("model", """{ "type": "torchscript" }""", "model.path: is required for a torchscript model: the file torch.jit.save wrote")]
    [InlineData("model", """{ "type": "torchscript", "path": "m.pt", "hidden": [10] }""", "model.hidden: does not apply to torchscript (the model file defines the architecture)")]
    [InlineData("model", """{ "type": "mlp", "path": "m.pt" }""", "model.path: applies to torchscript only")]
    [InlineData("fine_tune", """{ "freeze": ["backbone"] }""", "fine_tune.from: is required: a run directory, checkpoint directory or model.pt with the pretrained weights")]
    [InlineData("fine_tune", """{ "from": "r", "unfreeze_after_epochs": 2 }""", "fine_tune.unfreeze_after_epochs: needs something to unfreeze: set freeze")]
    [InlineData("fine_tune", """{ "from": "r", "freeze": ["backbone"], "unfreeze_after_epochs": 10 }""", "fine_tune.unfreeze_after_epochs: must be less than training.epochs (10), got 10")]
    [InlineData("fine_tune", """{ "from": "r", "freeze": [""] }""", "fine_tune.freeze[0]: must not be empty")]
    [InlineData("fine_tune", """{ "from": "r", "backbone_learning_rate": 0 }""", "fine_tune.backbone_learning_rate: must be > 0, got 0")]
    [InlineData("training", """{ "learning_rate": "fast" }""", "training.learning_rate: must be a number, got the string \"fast\"")]
    [InlineData("training", """{ "optimizer": "lbfgs" }""", "training.optimizer: must be one of sgd, adam, adamw, rmsprop, adagrad, adadelta, got 'lbfgs'")]
    [InlineData("training", """{ "optimizer": { "type": "sgd", "nesterov": true } }""", "training.optimizer.nesterov: needs momentum > 0")]
    [InlineData("training", """{ "optimizer": { "type": "adam", "rho": 0.9 } }""", "training.optimizer.rho: does not apply to adam (only to adadelta)")]
    [InlineData("training", """{ "optimizer": { "type": "sgd", "momentum": 1.5 } }""", "training.optimizer.momentum: must be >= 0 and < 1, got 1.5")]
    [InlineData("training", """{ "optimizer": { "type": "adagrad", "eps": 0 } }""", "training.optimizer.eps: must be > 0, got 0")]
    [InlineData("training", """{ "weight_decay": -1 }""", "training.weight_decay: must be >= 0, got -1")]
    [InlineData("training", """{ "l1": -1 }""", "training.l1: must be >= 0, got -1")]
    [InlineData("training", """{ "grad_clip_norm": 0 }""", "training.grad_clip_norm: must be > 0, got 0")]
    [InlineData("training", """{ "seed": -1 }""", "training.seed: must be a non-negative integer, got -1")]
    [InlineData("training", """{ "threads": -1 }""", "training.threads: must be between 0 (one per core) and 1024, got -1")]
    [InlineData("training", """{ "device": "tpu" }""", "training.device: must be auto, cpu, cuda or cuda:N, got \"tpu\"")]
    [InlineData("training", """{ "max_runtime_seconds": 0 }""", "training.max_runtime_seconds: must be between 1 and 2419200 (28 days), got 0")]
    [InlineData("training", """{ "lr_schedule": { "type": "cosine", "gamma": 0.5 } }""", "training.lr_schedule.gamma: applies to the step schedule only")]
    [InlineData("training", """{ "lr_schedule": { "type": "step", "gamma": 2 } }""", "training.lr_schedule.gamma: must be > 0 and <= 1, got 2")]
    [InlineData("training", """{ "epochs": 3, "lr_schedule": { "warmup_epochs": 3 } }""", "training.lr_schedule.warmup_epochs: must be less than training.epochs (3), got 3")]
    [InlineData("training", """{ "lr_schedule": { "type": "exponential" } }""", "training.lr_schedule.type: must be one of constant, step, cosine, got 'exponential'")]
    [InlineData("early_stopping", """{ "monitor": "val_bleu" }""", "early_stopping.monitor: must be one of train_loss, train_accuracy, val_loss, val_accuracy, val_macro_precision, val_macro_recall, val_macro_f1, val_roc_auc, val_pr_auc, got \"val_bleu\"")]
    [InlineData("early_stopping", """{ "patience": 0 }""", "early_stopping.patience: must be >= 1, got 0")]
    [InlineData("early_stopping", """{ "mode": "up" }""", "early_stopping.mode: must be one of auto, min, max, got 'up'")]
    [InlineData("early_stopping", """{ "min_delta": -0.1 }""", "early_stopping.min_delta: must be >= 0, got -0.1")]
    [InlineData("checkpointing", """{ "every_epochs": 0 }""", "checkpointing.every_epochs: must be >= 1, got 0")]
    [InlineData("checkpointing", """{ "keep_last": 0 }""", "checkpointing.keep_last: must be >= 1, got 0")]
    [InlineData("checkpointing", """{ "bucket": "b" }""", "checkpointing.bucket: unknown field")]
    public void Parse_SectionRule_IsReported(string section, string json, string expected) =>
        Assert.Contains(expected, Errors(With(section, json)));

    [Theory]
    [InlineData("""{ "format": "idx" }""", "data.train: is required: a directory with the IDX files, or \"fashion-mnist\"")]
    [InlineData("""{ "format": "parquet", "train": "x" }""", "data.format: must be one of idx, csv, image_folder, webdataset, got 'parquet'")]
    [InlineData("""{ "train": "x", "task": "regression" }""", "data.task: image data is classification only")]
    [InlineData("""{ "train": "x", "validation_split": 1 }""", "data.validation_split: must be >= 0 and < 1, got 1")]
    [InlineData("""{ "format": "csv", "train": "a.csv", "validation": "b.csv", "validation_split": 0.2 }""", "data.validation_split: cannot be used together with a validation file")]
    [InlineData("""{ "train": "x", "test": "t" }""", "data.test: is for CSV data; IDX directories hold their own t10k test files (see use_test_set)")]
    [InlineData("""{ "train": "x", "validation": "v" }""", "data.validation: is for CSV data; IDX data holds out validation_split of the training files")]
    [InlineData("""{ "train": "x", "classes": [1] }""", "data.classes: must have at least 2 elements, got 1")]
    [InlineData("""{ "train": "x", "classes": [1, 1] }""", "data.classes: must not repeat a class")]
    [InlineData("""{ "train": "x", "classes": [0, 1], "class_names": ["a"] }""", "data.class_names: must name each of the 2 selected classes, got 1 names")]
    [InlineData("""{ "train": "x", "train_limit": 0 }""", "data.train_limit: must be > 0, got 0")]
    [InlineData("""{ "train": "x", "label_column": "y" }""", "data.label_column: is for CSV data")]
    [InlineData("""{ "train": "x", "image_size": 28 }""", "data.image_size: is for image data (format image_folder or webdataset)")]
    [InlineData("""{ "format": "image_folder", "train": "x", "image_size": [28] }""", "data.image_size: must have at least 2 elements, got 1")]
    [InlineData("""{ "format": "image_folder", "train": "x", "image_size": 0 }""", "data.image_size: must be between 1 and 4096, got 0")]
    [InlineData("""{ "format": "image_folder", "train": "x", "channels": 2 }""", "data.channels: must be 1 (grayscale) or 3 (RGB), got 2")]
    [InlineData("""{ "format": "image_folder", "train": "x", "mean": [0.5] }""", "data.mean: mean and std go together")]
    [InlineData("""{ "format": "image_folder", "train": "x", "channels": 3, "mean": [0.5], "std": [0.2] }""", "data.mean: must have one value per channel (3)")]
    [InlineData("""{ "format": "image_folder", "train": "x", "augment": { "random_resized_crop": { "scale": [0.9, 0.2] } } }""", "data.augment.random_resized_crop.scale: must be [min, max] with min <= max")]
    [InlineData("""{ "format": "image_folder", "train": "x", "augment": { "rotate": 10 } }""", "data.augment.rotate: unknown field")]
    [InlineData("""{ "format": "image_folder", "train": "x", "bad_images": "ignore" }""", "data.bad_images: must be one of error, skip, got 'ignore'")]
    [InlineData("""{ "format": "image_folder", "train": "x", "shuffle_buffer": 10 }""", "data.shuffle_buffer: is for format webdataset")]
    [InlineData("""{ "format": "webdataset", "train": "x", "validation_split": 0.2 }""", "data.validation_split: a stream cannot hold examples out: give a validation prefix of shards")]
    [InlineData("""{ "format": "webdataset", "train": "x", "train_limit": 5 }""", "data.train_limit: does not apply to a stream of shards")]
    [InlineData("""{ "train": "x", "loader_threads": 65 }""", "data.loader_threads: must be between 0 (on the training thread) and 64, got 65")]
    public void Parse_DataRule_IsReported(string data, string expected) =>
        Assert.Contains(expected, Errors($$"""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": {{data}} }"""));

    [Fact]
    public void Parse_ImageFolder_ReadsTheImageSettings()
    {
        var data = JobSpecParser.Parse("""
            { "apiVersion": "trainingworkers/v1", "name": "job", "model": { "type": "resnet" },
              "data": { "format": "image_folder", "train": "s3://b/train/", "image_size": [32, 48], "channels": 3, "mean": [0.4, 0.5, 0.6], "std": [0.2, 0.2, 0.2],
                        "augment": { "random_resized_crop": true, "horizontal_flip": true }, "loader_threads": 3, "bad_images": "skip" } }
            """).Data;
        Assert.Equal(DataFormat.ImageFolder, data.Format);
        Assert.Equal([32, 48], data.ImageSize!);
        Assert.Equal([0.08, 1.0], data.Augment!.CropScale!);
        Assert.True(data.Augment.HorizontalFlip);
        Assert.Equal((3, BadImagePolicy.Skip), (data.LoaderThreads, data.BadImages));
        Assert.Equal("s3://b/train/", data.RelativeTo("/specs").Train);
    }

    [Fact]
    public void Parse_CnnOnCsv_IsRejected() =>
        Assert.Contains("model.type: cnn needs image data (data.format idx, image_folder or webdataset); use mlp for CSV features",
            Errors("""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "format": "csv", "train": "a.csv" }, "model": { "type": "cnn" } }"""));

    [Fact]
    public void Parse_ValMonitorWithoutValidationData_IsRejected() =>
        Assert.Contains("early_stopping.monitor: \"val_loss\" needs validation data: set data.validation_split > 0 or data.validation",
            Errors("""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "x", "validation_split": 0 }, "early_stopping": { "patience": 2 } }"""));

    [Fact]
    public void Parse_RegressionMonitor_AcceptsRmse()
    {
        var spec = JobSpecParser.Parse("""{ "apiVersion": "trainingworkers/v1", "name": "r", "data": { "format": "csv", "train": "a.csv", "task": "regression" }, "early_stopping": { "monitor": "val_rmse" } }""");
        Assert.Equal("val_rmse", spec.EarlyStopping!.Monitor);
    }

    [Fact]
    public void Parse_EarlyStoppingDisabled_IsNull() =>
        Assert.Null(JobSpecParser.Parse(With("early_stopping", """{ "enabled": false }""")).EarlyStopping);

    [Fact]
    public void Parse_OptimizerObject_ReadsEveryField()
    {
        var o = JobSpecParser.Parse(With("training", """{ "optimizer": { "type": "sgd", "momentum": 0.9, "nesterov": true } }""")).Training.Optimizer;
        Assert.Equal(new OptimizerSpec { Type = OptimizerType.Sgd, Momentum = 0.9, Nesterov = true }, o);
    }

    [Fact]
    public void ExampleSpecs_AllParse()
    {
        var files = ExampleSpecFiles();
        Assert.NotEmpty(files);
        foreach (var file in files) JobSpecParser.Parse(File.ReadAllText(file));
    }

    /// <summary>The example job specs under examples/ (study requests, which have a top-level "kind", are not job specs).</summary>
    internal static IReadOnlyList<string> ExampleSpecFiles() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot(), "examples"), "*.json", SearchOption.AllDirectories)
            .Where(f => !System.Text.Json.JsonDocument.Parse(File.ReadAllText(f)).RootElement.TryGetProperty("kind", out _))
            .Order(StringComparer.Ordinal).ToList();

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TrainingWorkers.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("not inside the repository");
    }
}
