using System.Text.Json;
using System.Text.Json.Serialization;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Json;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>The kinds of <see cref="RankEvent"/>, in the order a rank sends them.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<RankEventKind>))]
public enum RankEventKind
{
    /// <summary>The rendezvous is done (with the rank's pid and the world size).</summary>
    Joined,
    /// <summary>How far training is: an epoch started, or a step (at most every half second).</summary>
    Progress,
    /// <summary>The group's metrics of an epoch (rank 0 only).</summary>
    Epoch,
    /// <summary>A checkpoint was written (rank 0 only).</summary>
    Checkpoint,
    /// <summary>Training ended: the stop reason, the time spent training and syncing gradients and, on rank 0, the report file.</summary>
    Done,
    /// <summary>The rank failed: the failure's kind, message, and the spec field and file when the input was at fault.</summary>
    Failed,
}

/// <summary>
/// One line of the rank-to-launcher channel: a JSON object on the rank's stdout, one per line (stdout is
/// reserved for it in a rank; logs go to stderr). A rank reports every failure with a <see cref="RankEventKind.Failed"/>
/// event before it exits with the failure's exit code (<see cref="FailureKinds.ExitCode"/>). Unknown fields are
/// ignored, and a line with an unknown event is treated as a log line, so the protocol can grow.
/// </summary>
public sealed record RankEvent
{
    public static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    [JsonPropertyName("event")] public required RankEventKind Event { get; init; }
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
    [JsonPropertyName("stop_reason")] public StopReason? StopReason { get; init; }
    [JsonPropertyName("report")] public string? Report { get; init; }
    /// <summary>done: seconds of training, and of them in gradient synchronization, over how many steps.</summary>
    [JsonPropertyName("seconds")] public double? Seconds { get; init; }
    [JsonPropertyName("sync_seconds")] public double? SyncSeconds { get; init; }
    [JsonPropertyName("sync_steps")] public long? SyncSteps { get; init; }
    /// <summary>failed: what went wrong (<see cref="JobFailure"/>).</summary>
    [JsonPropertyName("failure")] public JobFailure? Failure { get; init; }

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>The event on a line, or null when the line is not one (a stray print, an event this build does not know).</summary>
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
