namespace TrainingWorkers.Core.Spec;

/// <summary>
/// Transfer learning from pretrained weights. The four usual approaches are specs: continue
/// training the whole model with a low learning rate; freeze the backbone and train a new head;
/// both in sequence (unfreeze_after_epochs); or training.epochs 0 to only evaluate.
/// </summary>
public sealed record FineTuneSpec
{
    /// <summary>The pretrained weights: a run directory, a checkpoint directory or a model.pt state file; null for a TorchScript model's own.</summary>
    public string? From { get; init; }
    /// <summary>Parts ("backbone", "head") or globs on parameter names ("backbone.0.*") to freeze.</summary>
    public IReadOnlyList<string> Freeze { get; init; } = [];
    /// <summary>A new, freshly initialized head for this data's classes; only the backbone is loaded.</summary>
    public bool ReplaceHead { get; init; }
    /// <summary>The backbone's learning rate; null means training.learning_rate (the head always uses that).</summary>
    public double? BackboneLearningRate { get; init; }
    /// <summary>Unfreeze everything after this many epochs (gradual unfreezing); null keeps the frozen parts frozen.</summary>
    public int? UnfreezeAfterEpochs { get; init; }
}
