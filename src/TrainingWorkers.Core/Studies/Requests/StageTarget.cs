namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>A sweep over one stage of a fine-tune pipeline: the stages before it run once, then every trial is that stage.</summary>
/// <param name="Pipeline">The pipeline (its base model, approach and stage options).</param>
/// <param name="Stage">The index of the swept stage among the approach's stages.</param>
public sealed record StageTarget(FineTuneRequest Pipeline, int Stage);
