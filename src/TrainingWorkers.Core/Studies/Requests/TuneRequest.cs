namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>A hyperparameter sweep over a base job spec (or one stage of a fine-tune pipeline).</summary>
public sealed record TuneRequest : StudyRequest
{
    public required Objective Objective { get; init; }
    public required IReadOnlyList<SearchParameter> SearchSpace { get; init; }
    public required int Trials { get; init; }
    /// <summary>Trials running at once.</summary>
    public int Parallel { get; init; } = 1;
    public SearchOptions Search { get; init; } = new();
    public StoppingOptions Stopping { get; init; } = new();
    /// <summary>More failed trials than this fail the sweep (the spec or the space is likely at fault).</summary>
    public required int MaxFailedTrials { get; init; }
    public WarmStart? WarmStart { get; init; }
    /// <summary>Set when the sweep is over a pipeline's stage.</summary>
    public StageTarget? Stage { get; init; }

    public override string Kind => StudyKinds.Tune;
}
