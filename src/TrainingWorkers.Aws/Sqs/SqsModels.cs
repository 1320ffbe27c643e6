using System.Globalization;
using System.Text.Json;

namespace TrainingWorkers.Aws.Sqs;

// Request and response shapes of the SQS JSON protocol; property names are the wire names.

/// <summary>A message attribute: a typed value the consumer can read without parsing the body.</summary>
internal sealed record SqsAttributeValue(string DataType, string? StringValue);

/// <summary>A message as ReceiveMessage returns it.</summary>
internal sealed record SqsMessage
{
    public required string MessageId { get; init; }
    public required string ReceiptHandle { get; init; }
    public string Body { get; init; } = "";
    public string? MD5OfBody { get; init; }
    public Dictionary<string, string> Attributes { get; init; } = [];
    public Dictionary<string, SqsAttributeValue> MessageAttributes { get; init; } = [];

    /// <summary>ApproximateReceiveCount: this receive included.</summary>
    public int ReceiveCount => Attributes.TryGetValue("ApproximateReceiveCount", out var v) && int.TryParse(v, out var n) ? n : 1;

    /// <summary>SentTimestamp (epoch milliseconds) as a time.</summary>
    public DateTimeOffset SentAt => Attributes.TryGetValue("SentTimestamp", out var v) && long.TryParse(v, out var ms)
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UnixEpoch;
}

internal sealed record SqsSendEntry(string Id, string MessageBody)
{
    public int? DelaySeconds { get; init; }
    public Dictionary<string, SqsAttributeValue>? MessageAttributes { get; init; }
}

internal sealed record SqsVisibilityEntry(string Id, string ReceiptHandle, int VisibilityTimeout);

internal sealed record SqsDeleteEntry(string Id, string ReceiptHandle);

/// <summary>One entry of a batch that failed; <see cref="SenderFault"/> says whether resending the same entry is pointless.</summary>
internal sealed record SqsBatchError(string Id, string Code, string? Message, bool SenderFault);

internal sealed record SqsBatchSuccess(string Id, string? MessageId);

/// <summary>The outcome of a batch call: SQS answers 200 even when some entries failed.</summary>
internal sealed record SqsBatchResult
{
    public List<SqsBatchSuccess> Successful { get; init; } = [];
    public List<SqsBatchError> Failed { get; init; } = [];
}

internal sealed record CreateQueueRequest(string QueueName, Dictionary<string, string>? Attributes);
internal sealed record QueueUrlRequest(string QueueName);
internal sealed record QueueUrlResponse(string QueueUrl);
internal sealed record QueueRequest(string QueueUrl);
internal sealed record SendMessageRequest(string QueueUrl, string MessageBody, int? DelaySeconds, Dictionary<string, SqsAttributeValue>? MessageAttributes);
internal sealed record SendMessageResponse(string MessageId, string? MD5OfMessageBody);
internal sealed record SendMessageBatchRequest(string QueueUrl, IReadOnlyList<SqsSendEntry> Entries);
internal sealed record ReceiveMessageRequest(string QueueUrl, int MaxNumberOfMessages, int WaitTimeSeconds, int? VisibilityTimeout,
    IReadOnlyList<string> MessageSystemAttributeNames, IReadOnlyList<string> MessageAttributeNames);
internal sealed record ReceiveMessageResponse(List<SqsMessage>? Messages);
internal sealed record DeleteMessageRequest(string QueueUrl, string ReceiptHandle);
internal sealed record DeleteMessageBatchRequest(string QueueUrl, IReadOnlyList<SqsDeleteEntry> Entries);
internal sealed record ChangeVisibilityRequest(string QueueUrl, string ReceiptHandle, int VisibilityTimeout);
internal sealed record ChangeVisibilityBatchRequest(string QueueUrl, IReadOnlyList<SqsVisibilityEntry> Entries);
internal sealed record GetQueueAttributesRequest(string QueueUrl, IReadOnlyList<string> AttributeNames);
internal sealed record GetQueueAttributesResponse(Dictionary<string, string>? Attributes);

/// <summary>A queue's RedrivePolicy attribute: after <see cref="MaxReceiveCount"/> receives a message moves to the dead-letter queue.</summary>
internal sealed record SqsRedrivePolicy(string? DeadLetterTargetArn, int? MaxReceiveCount)
{
    /// <summary>The attribute's JSON text, as SetQueueAttributes and CreateQueue take it.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, string?>
    {
        ["deadLetterTargetArn"] = DeadLetterTargetArn, ["maxReceiveCount"] = MaxReceiveCount?.ToString(CultureInfo.InvariantCulture),
    });

    /// <summary>The attribute as GetQueueAttributes returns it; SQS writes maxReceiveCount as a number, some tools as a string.</summary>
    public static SqsRedrivePolicy Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        int? max = root.TryGetProperty("maxReceiveCount", out var m)
            ? m.ValueKind == JsonValueKind.Number ? m.GetInt32() : int.Parse(m.GetString()!, CultureInfo.InvariantCulture)
            : null;
        return new SqsRedrivePolicy(root.TryGetProperty("deadLetterTargetArn", out var t) ? t.GetString() : null, max);
    }
}
