namespace TrainingWorkers.Core.Spec;

/// <summary>Whether a larger or a smaller monitored value is better.</summary>
public enum MonitorMode
{
    /// <summary>Max for metrics whose name ends in accuracy, precision, recall, f1 or auc; min otherwise.</summary>
    Auto,
    Min,
    Max,
}

/// <summary>Stop when the monitored metric has not improved by more than MinDelta for Patience epochs.</summary>
public sealed record EarlyStoppingSpec
{
    public string Monitor { get; init; } = "val_loss";
    public MonitorMode Mode { get; init; } = MonitorMode.Auto;
    public int Patience { get; init; } = 3;
    public double MinDelta { get; init; }
    /// <summary>At the end, put back the weights of the best epoch.</summary>
    public bool RestoreBestWeights { get; init; } = true;
}

/// <summary>When and where checkpoints are written, and how many are kept.</summary>
public sealed record CheckpointSpec
{
    /// <summary>A directory; null means <c>checkpoints/</c> in the run directory.</summary>
    public string? Directory { get; init; }
    public int EveryEpochs { get; init; } = 1;
    /// <summary>Also checkpoint every N optimizer steps (mid-epoch), so little work is lost when a worker dies; null means only per epoch.</summary>
    public int? EverySteps { get; init; }
    /// <summary>The newest checkpoints kept; the best one is kept as well.</summary>
    public int KeepLast { get; init; } = 2;
}
