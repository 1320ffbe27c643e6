namespace TrainingWorkers.Core.Studies.State;

/// <summary>Where a trial is.</summary>
public enum TrialStatus
{
    /// <summary>Decided (parameters written), job not yet seen running.</summary>
    Pending,
    Running,
    /// <summary>The job succeeded; its objective counts.</summary>
    Completed,
    /// <summary>The stopping rule stopped it (through the job's cancel path).</summary>
    Pruned,
    /// <summary>The job failed (after the job machinery's retries).</summary>
    Failed,
    /// <summary>Cancelled from outside the study, or with the study.</summary>
    Cancelled,
}
