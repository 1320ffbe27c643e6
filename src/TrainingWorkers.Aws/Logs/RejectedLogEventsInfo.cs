using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>Which events of a PutLogEvents call the service refused as too old, expired or too new (indexes into the batch). CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record RejectedLogEventsInfo(
    [property: JsonPropertyName("tooNewLogEventStartIndex")] int? TooNewLogEventStartIndex,
    [property: JsonPropertyName("tooOldLogEventEndIndex")] int? TooOldLogEventEndIndex,
    [property: JsonPropertyName("expiredLogEventEndIndex")] int? ExpiredLogEventEndIndex);
