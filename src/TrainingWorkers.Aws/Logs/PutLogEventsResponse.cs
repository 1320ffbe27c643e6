using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>The answer to PutLogEvents. CloudWatch Logs speaks AWS JSON 1.1 with camelCase members.</summary>
internal sealed record PutLogEventsResponse([property: JsonPropertyName("rejectedLogEventsInfo")] RejectedLogEventsInfo? RejectedLogEventsInfo);
