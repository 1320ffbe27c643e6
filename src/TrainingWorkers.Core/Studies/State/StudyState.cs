using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Studies.State;

/// <summary>
/// A study's state as its coordinator keeps it (JSON in the study's record, replaced with every step under the lease).
/// A pipeline fills <see cref="Branches"/>; a sweep fills <see cref="Trials"/>, and <see cref="Branches"/> with the stages
/// that come before the swept one when it sweeps a pipeline's stage.
/// </summary>
public sealed class StudyState
{
    /// <summary>The base model's weights the pipeline starts from, once resolved (a job's model URI, or the request's URI).</summary>
    [JsonPropertyName("base_model_uri")] public string? BaseModelUri { get; set; }

    [JsonPropertyName("branches")] public List<BranchState> Branches { get; set; } = [];

    [JsonPropertyName("trials")] public List<TrialState> Trials { get; set; } = [];

    /// <summary>Warm start: the finished trials of an earlier sweep, which the model-based search learns from.</summary>
    [JsonPropertyName("prior_trials")] public List<TrialState> PriorTrials { get; set; } = [];

    /// <summary>Warm start: the earlier sweep's trials were read (once, at the first step).</summary>
    [JsonPropertyName("warm_start_loaded")] public bool WarmStartLoaded { get; set; }

    /// <summary>How many steps the coordinators have taken.</summary>
    [JsonPropertyName("steps")] public long Steps { get; set; }
}
