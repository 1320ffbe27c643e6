namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>A transfer-learning pipeline: a base model, new data (the spec), an approach, and the metric that decides.</summary>
public sealed record FineTuneRequest : StudyRequest
{
    public required BaseModel BaseModel { get; init; }
    public required FineTuneApproach Approach { get; init; }
    /// <summary>With <see cref="FineTuneApproach.Compare"/>: the approaches run side by side (scratch is the baseline).</summary>
    public IReadOnlyList<FineTuneApproach> Compare { get; init; } = [];
    /// <summary>The per-epoch validation metric that picks each stage's best checkpoint and ranks the approaches.</summary>
    public required string Monitor { get; init; }
    public required bool HigherIsBetter { get; init; }
    public StageOptions Stages { get; init; } = new();

    public override string Kind => StudyKinds.FineTune;
}
