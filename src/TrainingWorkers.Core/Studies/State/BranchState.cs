using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Studies.State;

/// <summary>One approach of a pipeline (<c>gradual</c>: a head stage then a full stage), its stages run in order.</summary>
public sealed class BranchState
{
    /// <summary>continue, freeze, gradual, evaluate or scratch.</summary>
    [JsonPropertyName("approach")] public string Approach { get; set; } = "";

    [JsonPropertyName("status")] public BranchStatus Status { get; set; }

    [JsonPropertyName("stages")] public List<StageState> Stages { get; set; } = [];

    /// <summary>The last stage's value of the monitored metric on validation (its best epoch's), once it succeeded.</summary>
    [JsonPropertyName("score")] public double? Score { get; set; }

    /// <summary>1 for the best approach, once the pipeline ended.</summary>
    [JsonPropertyName("rank")] public int? Rank { get; set; }

    [JsonPropertyName("error")] public string? Error { get; set; }
}
