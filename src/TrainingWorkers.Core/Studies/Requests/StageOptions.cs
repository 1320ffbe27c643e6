namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>How a pipeline's stages train; every field has a default from the spec.</summary>
public sealed record StageOptions
{
    /// <summary>Epochs of the head stage (frozen backbone). Default: the spec's epochs (freeze), half of them (gradual).</summary>
    public int? HeadEpochs { get; init; }
    /// <summary>Epochs of the full stage (everything trains). Default: the spec's epochs (continue), the rest after the head stage (gradual).</summary>
    public int? FullEpochs { get; init; }
    /// <summary>The backbone's learning rate in the full stage. Default: a tenth of training.learning_rate.</summary>
    public double? BackboneLearningRate { get; init; }
    /// <summary>What the head stage freezes (parts or globs of parameter names).</summary>
    public IReadOnlyList<string> Freeze { get; init; } = ["backbone"];
    /// <summary>A new head for the new data's classes (default true); false keeps the base model's head.</summary>
    public bool ReplaceHead { get; init; } = true;
}
