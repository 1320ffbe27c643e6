using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Studies.State;

/// <summary>What a finished study produced: the best model and how it was chosen, and where the report and pictures are.</summary>
public sealed class StudyResult
{
    /// <summary>The winning approach of a pipeline (<c>gradual</c>), or the best trial (<c>trial 3</c>).</summary>
    [JsonPropertyName("best")] public string? Best { get; set; }

    /// <summary>The best trial's number (sweeps).</summary>
    [JsonPropertyName("best_trial")] public int? BestTrial { get; set; }

    /// <summary>The metric that decided, and its best value.</summary>
    [JsonPropertyName("metric")] public string Metric { get; set; } = "";

    [JsonPropertyName("higher_is_better")] public bool HigherIsBetter { get; set; }

    [JsonPropertyName("value")] public double? Value { get; set; }

    /// <summary>The final model of the winner (<c>s3://.../model.pt</c>).</summary>
    [JsonPropertyName("model_uri")] public string? ModelUri { get; set; }

    /// <summary>The winner's job id.</summary>
    [JsonPropertyName("job_id")] public string? JobId { get; set; }

    /// <summary>Sweeps: the best trial's parameters and its whole job spec.</summary>
    [JsonPropertyName("params")] public JsonObject? Params { get; set; }

    [JsonPropertyName("spec")] public JsonNode? Spec { get; set; }

    /// <summary>The report (JSON: every stage's or trial's metrics) and its pictures (SVG).</summary>
    [JsonPropertyName("report_uri")] public string? ReportUri { get; set; }

    [JsonPropertyName("pictures")] public List<string> Pictures { get; set; } = [];
}
