using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Training;

/// <summary>What a finished run produced.</summary>
public sealed record TrainingResult
{
    public required StopReason StopReason { get; init; }
    public required IReadOnlyList<EpochSummary> History { get; init; }
    /// <summary>The monitored metric and its best epoch (1-based; 0 without early stopping or validation).</summary>
    public string? Monitor { get; init; }
    public int BestEpoch { get; init; }
    public double BestValue { get; init; } = double.NaN;
    /// <summary>Whether the final weights are the best epoch's (restore_best_weights).</summary>
    public bool RestoredBestWeights { get; init; }
    public EvaluationReport? Validation { get; init; }
    public EvaluationReport? Test { get; init; }
    public required ModelDefinition Model { get; init; }
    public required long Parameters { get; init; }
    /// <summary>The final weights (the best epoch's when restored), in libtorch's archive format.</summary>
    public required byte[] ModelState { get; init; }
    /// <summary>The final model as TorchScript (torch.jit.load in PyTorch; forward returns logits).</summary>
    public required byte[] TorchScript { get; init; }
    public string? LastCheckpoint { get; init; }
    /// <summary>The checkpoint this run resumed from, if any.</summary>
    public string? ResumedFrom { get; init; }
    public required string Device { get; init; }
    public required TimeSpan Duration { get; init; }
    /// <summary>What the input pipeline did in this run: images decoded and skipped, time the step waited for data.</summary>
    public Data.InputCounters? Input { get; init; }
    /// <summary>The loader threads that prepared batches (0: on the training thread).</summary>
    public int LoaderThreads { get; init; }
}
