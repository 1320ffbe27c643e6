using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// One line of the rank-to-launcher channel: a JSON object on the rank's stdout, one per line
/// (stdout is reserved for it in a rank; logs go to stderr). <c>event</c> is one of
/// <c>joined</c> (rendezvous done), <c>progress</c> (at most every half second while training),
/// <c>epoch</c> (the group's epoch metrics, rank 0), <c>checkpoint</c> (written, rank 0),
/// <c>done</c> (the stop reason, the time spent training and syncing gradients and, on rank 0, the report file) or <c>failed</c> (an error
/// kind and message). Unknown fields and events are to be ignored, so the protocol can grow.
/// </summary>
public sealed record RankEvent
{
    public static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    [JsonPropertyName("event")] public required string Event { get; init; }
    [JsonPropertyName("rank")] public int Rank { get; init; }
    [JsonPropertyName("pid")] public int? Pid { get; init; }
    [JsonPropertyName("world_size")] public int? WorldSize { get; init; }
    [JsonPropertyName("epoch")] public int? Epoch { get; init; }
    [JsonPropertyName("epochs")] public int? Epochs { get; init; }
    [JsonPropertyName("step")] public int? Step { get; init; }
    [JsonPropertyName("steps")] public int? Steps { get; init; }
    [JsonPropertyName("loss")] public double? Loss { get; init; }
    [JsonPropertyName("metrics")] public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    [JsonPropertyName("checkpoint")] public string? Checkpoint { get; init; }
    [JsonPropertyName("location")] public string? Location { get; init; }
    [JsonPropertyName("stop_reason")] public string? StopReason { get; init; }
    [JsonPropertyName("report")] public string? Report { get; init; }
    /// <summary>done: seconds of training, and of them in gradient synchronization, over how many steps.</summary>
    [JsonPropertyName("seconds")] public double? Seconds { get; init; }
    [JsonPropertyName("sync_seconds")] public double? SyncSeconds { get; init; }
    [JsonPropertyName("sync_steps")] public long? SyncSteps { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>The event on a line, or null when the line is not one (a stray print).</summary>
    public static RankEvent? TryParse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonSerializer.Deserialize<RankEvent>(line, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
