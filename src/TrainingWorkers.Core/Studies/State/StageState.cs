using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Studies.State;

/// <summary>One stage of a fine-tune pipeline: one job, started from the base model or the previous stage's best checkpoint.</summary>
public sealed class StageState : StudyJob
{
    /// <summary><c>head</c> (frozen backbone, new head), <c>full</c> (everything trains), <c>evaluate</c> or <c>scratch</c>.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary>The epochs the stage trains (0 evaluates only).</summary>
    [JsonPropertyName("epochs")] public int Epochs { get; set; }

    /// <summary>The weights the stage starts from: the base model's URI or the previous stage's best checkpoint; null from scratch.</summary>
    [JsonPropertyName("from")] public string? From { get; set; }

    /// <summary>The stage's best checkpoint by the pipeline's monitored metric, once the stage succeeded.</summary>
    [JsonPropertyName("best_checkpoint")] public string? BestCheckpoint { get; set; }

    [JsonPropertyName("best_checkpoint_uri")] public string? BestCheckpointUri { get; set; }

    [JsonPropertyName("best_epoch")] public int? BestEpoch { get; set; }

    [JsonPropertyName("best_value")] public double? BestValue { get; set; }
}
