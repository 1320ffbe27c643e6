using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Data;

/// <summary>The data of one job, ready to train on.</summary>
/// <param name="Outputs">Classes (classification) or targets per example (regression).</param>
/// <param name="ClassNames">One name per class; empty for regression.</param>
public sealed record DataSplits(Dataset Train, Dataset? Validation, Dataset? Test, TaskKind Task, int Outputs, IReadOnlyList<string> ClassNames)
{
    /// <summary>The input pipeline's counters: images decoded and skipped, time the step waited for data.</summary>
    public InputCounters Input { get; init; } = new();
}
