namespace TrainingWorkers.Core.Studies.State;

/// <summary>Where a pipeline's branch is.</summary>
public enum BranchStatus
{
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
