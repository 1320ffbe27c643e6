using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>One event sent with PutLogEvents; the timestamp is in epoch milliseconds. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record InputLogEvent(
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("message")] string Message);
