namespace TrainingWorkers.Core.Studies;

/// <summary>Where a study (a fine-tune pipeline or a tuning sweep) is in its life. Terminal states are never left.</summary>
public enum StudyStatus
{
    /// <summary>Submitted; no coordinator has claimed it yet, and it has no jobs.</summary>
    Queued,
    /// <summary>A coordinator holds its lease (or held it: a lease that ran out is taken over) and drives its jobs.</summary>
    Running,
    /// <summary>Every job ended and the study has its result (the best model, the report).</summary>
    Succeeded,
    /// <summary>Bad input (the request, a stage's spec, the base model) or no job could give a result.</summary>
    Failed,
    /// <summary>A user cancelled it; its jobs were cancelled with it.</summary>
    Cancelled,
}

/// <summary>Helpers over <see cref="StudyStatus"/>.</summary>
public static class StudyStatusExtensions
{
    public static bool IsTerminal(this StudyStatus status) => status is StudyStatus.Succeeded or StudyStatus.Failed or StudyStatus.Cancelled;
}
