using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>One page of DescribeLogStreams. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record DescribeLogStreamsResponse(
    [property: JsonPropertyName("logStreams")] List<LogStream>? LogStreams,
    [property: JsonPropertyName("nextToken")] string? NextToken);
