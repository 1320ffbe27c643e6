using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>One event read with GetLogEvents; the timestamp is in epoch milliseconds. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record OutputLogEvent(
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("message")] string Message);
