using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Studies.State;

/// <summary>One trial of a sweep: its hyperparameters, its job, and what the stopping rule saw of it.</summary>
public sealed class TrialState : StudyJob
{
    /// <summary>0-based, in the order the trials were decided.</summary>
    [JsonPropertyName("number")] public int Number { get; set; }

    /// <summary>The sampled value of each parameter, by its spec path (<c>training.learning_rate</c>).</summary>
    [JsonPropertyName("params")] public JsonObject Params { get; set; } = [];

    [JsonPropertyName("status")] public TrialStatus Status { get; set; }

    /// <summary>The best value of the objective over the trial's epochs, once it completed (or its last before it was stopped).</summary>
    [JsonPropertyName("objective")] public double? Objective { get; set; }

    /// <summary>The epochs the stopping rule has judged so far.</summary>
    [JsonPropertyName("judged_epoch")] public int JudgedEpoch { get; set; }

    /// <summary>Successive halving: the objective at each rung the trial reached (rung → value).</summary>
    [JsonPropertyName("rungs")] public SortedDictionary<int, double> Rungs { get; set; } = [];

    /// <summary>The epoch at which the stopping rule stopped it.</summary>
    [JsonPropertyName("stopped_at_epoch")] public int? StoppedAtEpoch { get; set; }

    /// <summary>Why it was stopped, in words.</summary>
    [JsonPropertyName("stop_reason")] public string? StopReason { get; set; }

    /// <summary>The study an observation came from (warm start); null for the study's own trials.</summary>
    [JsonPropertyName("from_study")] public string? FromStudy { get; set; }
}
