using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>The body of CreateLogStream. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record LogStreamRequest(
    [property: JsonPropertyName("logGroupName")] string LogGroupName,
    [property: JsonPropertyName("logStreamName")] string LogStreamName);
