using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>The body of CreateLogGroup. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record LogGroupRequest([property: JsonPropertyName("logGroupName")] string LogGroupName);
