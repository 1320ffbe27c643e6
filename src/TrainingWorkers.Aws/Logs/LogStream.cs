using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>One stream listed by DescribeLogStreams. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record LogStream(
    [property: JsonPropertyName("logStreamName")] string LogStreamName,
    [property: JsonPropertyName("creationTime")] long? CreationTime);
