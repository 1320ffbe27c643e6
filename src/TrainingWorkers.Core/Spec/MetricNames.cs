namespace TrainingWorkers.Core.Spec;

/// <summary>The names of the metrics reported after each epoch: what early stopping may monitor.</summary>
public static class MetricNames
{
    public const string TrainLoss = "train_loss";
    public const string TrainAccuracy = "train_accuracy";
    public const string ValLoss = "val_loss";
    public const string ValAccuracy = "val_accuracy";
    /// <summary>Seconds of the epoch the training step waited for its batch (the input pipeline fell behind).</summary>
    public const string InputWaitSeconds = "input_wait_seconds";
    /// <summary>Images decoded and transformed per second of the epoch (image formats).</summary>
    public const string ImagesPerSecond = "images_per_second";

    /// <summary>The metrics that exist only for two-class problems.</summary>
    public static readonly IReadOnlyList<string> BinaryOnly = ["val_roc_auc", "val_pr_auc"];

    /// <summary>Every per-epoch metric for a task (the AUCs only when there are two classes).</summary>
    public static IReadOnlyList<string> Epoch(TaskKind task) => task == TaskKind.Regression
        ? [TrainLoss, ValLoss, "val_rmse", "val_mae", "val_r2"]
        : [TrainLoss, TrainAccuracy, ValLoss, ValAccuracy, "val_macro_precision", "val_macro_recall", "val_macro_f1", .. BinaryOnly];

    /// <summary>Whether larger is better for a metric, by its name.</summary>
    public static bool HigherIsBetter(string name) =>
        name.EndsWith("accuracy", StringComparison.Ordinal) || name.EndsWith("precision", StringComparison.Ordinal) ||
        name.EndsWith("recall", StringComparison.Ordinal) || name.EndsWith("f1", StringComparison.Ordinal) ||
        name.EndsWith("auc", StringComparison.Ordinal) || name.EndsWith("r2", StringComparison.Ordinal);
}
