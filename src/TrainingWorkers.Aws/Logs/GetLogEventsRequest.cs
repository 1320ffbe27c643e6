using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>The body of GetLogEvents: one page of a stream, from the head or from a token. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record GetLogEventsRequest(
    [property: JsonPropertyName("logGroupName")] string LogGroupName,
    [property: JsonPropertyName("logStreamName")] string LogStreamName,
    [property: JsonPropertyName("startFromHead")] bool StartFromHead,
    [property: JsonPropertyName("nextToken")] string? NextToken);
