using System.Globalization;
using System.Text.Json;

namespace TrainingWorkers.Aws.Sqs;

/// <summary>A queue's RedrivePolicy attribute: after <see cref="MaxReceiveCount"/> receives a message moves to the dead-letter queue.</summary>
internal sealed record SqsRedrivePolicy(string? DeadLetterTargetArn, int? MaxReceiveCount)
{
    /// <summary>The dead-letter queue's name: the last part of its ARN.</summary>
    public string? DeadLetterQueueName => DeadLetterTargetArn?[(DeadLetterTargetArn.LastIndexOf(':') + 1)..];

    /// <summary>The attribute's JSON text, as SetQueueAttributes and CreateQueue take it.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, string?>
    {
        ["deadLetterTargetArn"] = DeadLetterTargetArn, ["maxReceiveCount"] = MaxReceiveCount?.ToString(CultureInfo.InvariantCulture),
    });

    /// <summary>The attribute as GetQueueAttributes returns it; SQS (and moto) write maxReceiveCount as a number, some tools as a string.</summary>
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
