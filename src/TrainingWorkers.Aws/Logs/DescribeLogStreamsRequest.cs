using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>The body of DescribeLogStreams: the streams whose names start with a prefix. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record DescribeLogStreamsRequest(
    [property: JsonPropertyName("logGroupName")] string LogGroupName,
    [property: JsonPropertyName("logStreamNamePrefix")] string LogStreamNamePrefix,
    [property: JsonPropertyName("nextToken")] string? NextToken);
