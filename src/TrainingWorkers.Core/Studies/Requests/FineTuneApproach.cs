namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>How a pipeline learns the new data from the base model (the four approaches of the transfer-learning notes).</summary>
public enum FineTuneApproach
{
    /// <summary>One stage: the whole model trains, the backbone at a lower learning rate.</summary>
    Continue,
    /// <summary>One stage: the backbone is frozen and a new head trains.</summary>
    Freeze,
    /// <summary>Two stages: freeze (head), then continue (everything) from the head stage's best checkpoint.</summary>
    Gradual,
    /// <summary>One stage of 0 epochs: the base model as it is, evaluated on the new data.</summary>
    Evaluate,
    /// <summary>Several of the above side by side with a from-scratch baseline, ranked on validation.</summary>
    Compare,
    /// <summary>The baseline of a comparison: the same model trained from random weights.</summary>
    Scratch,
}
