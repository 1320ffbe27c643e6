using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Coordinator;

/// <summary>A driver found that the study cannot go on (a stage failed for bad input, the base model is missing): it fails at once.</summary>
internal sealed class StudyFailure(FailureKind kind, string message) : Exception(message)
{
    public FailureKind Kind { get; } = kind;
}
