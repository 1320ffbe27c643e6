using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>One page of GetLogEvents and the token to go on from. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record GetLogEventsResponse(
    [property: JsonPropertyName("events")] List<OutputLogEvent>? Events,
    [property: JsonPropertyName("nextForwardToken")] string? NextForwardToken);
