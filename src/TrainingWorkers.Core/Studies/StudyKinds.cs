namespace TrainingWorkers.Core.Studies;

/// <summary>The kinds of study a coordinator drives; each kind has its own request format and driver.</summary>
public static class StudyKinds
{
    /// <summary>A transfer-learning pipeline: staged fine-tune jobs, or approaches compared side by side.</summary>
    public const string FineTune = "finetune";

    /// <summary>A hyperparameter sweep: trials sampled from a search space, bad ones stopped early.</summary>
    public const string Tune = "tune";
}
