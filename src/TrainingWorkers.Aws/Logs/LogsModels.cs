using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws.Logs;

// Shapes of the CloudWatch Logs AWS JSON 1.1 protocol (camelCase members); timestamps are epoch milliseconds.

internal sealed record LogGroupRequest([property: JsonPropertyName("logGroupName")] string LogGroupName);

internal sealed record LogStreamRequest(
    [property: JsonPropertyName("logGroupName")] string LogGroupName,
    [property: JsonPropertyName("logStreamName")] string LogStreamName);

internal sealed record InputLogEvent(
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("message")] string Message);

internal sealed record PutLogEventsRequest(
    [property: JsonPropertyName("logGroupName")] string LogGroupName,
    [property: JsonPropertyName("logStreamName")] string LogStreamName,
    [property: JsonPropertyName("logEvents")] IReadOnlyList<InputLogEvent> LogEvents);

internal sealed record RejectedLogEventsInfo(
    [property: JsonPropertyName("tooNewLogEventStartIndex")] int? TooNewLogEventStartIndex,
    [property: JsonPropertyName("tooOldLogEventEndIndex")] int? TooOldLogEventEndIndex,
    [property: JsonPropertyName("expiredLogEventEndIndex")] int? ExpiredLogEventEndIndex);

internal sealed record PutLogEventsResponse([property: JsonPropertyName("rejectedLogEventsInfo")] RejectedLogEventsInfo? RejectedLogEventsInfo);

internal sealed record GetLogEventsRequest(
    [property: JsonPropertyName("logGroupName")] string LogGroupName,
    [property: JsonPropertyName("logStreamName")] string LogStreamName,
    [property: JsonPropertyName("startFromHead")] bool StartFromHead,
    [property: JsonPropertyName("nextToken")] string? NextToken);

internal sealed record OutputLogEvent(
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("message")] string Message);

internal sealed record GetLogEventsResponse(
    [property: JsonPropertyName("events")] List<OutputLogEvent>? Events,
    [property: JsonPropertyName("nextForwardToken")] string? NextForwardToken);

internal sealed record DescribeLogStreamsRequest(
    [property: JsonPropertyName("logGroupName")] string LogGroupName,
    [property: JsonPropertyName("logStreamNamePrefix")] string LogStreamNamePrefix,
    [property: JsonPropertyName("nextToken")] string? NextToken);

internal sealed record LogStream(
    [property: JsonPropertyName("logStreamName")] string LogStreamName,
    [property: JsonPropertyName("creationTime")] long? CreationTime);

internal sealed record DescribeLogStreamsResponse(
    [property: JsonPropertyName("logStreams")] List<LogStream>? LogStreams,
    [property: JsonPropertyName("nextToken")] string? NextToken);
