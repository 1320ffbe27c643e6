using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>The body of PutLogEvents: at most 10,000 events, oldest first. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record PutLogEventsRequest(
    [property: JsonPropertyName("logGroupName")] string LogGroupName,
    [property: JsonPropertyName("logStreamName")] string LogStreamName,
    [property: JsonPropertyName("logEvents")] IReadOnlyList<InputLogEvent> LogEvents);
