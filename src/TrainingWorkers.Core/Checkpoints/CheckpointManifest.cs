using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Checkpoints;

/// <summary>
/// The self-describing part of a checkpoint. It is written after every payload file, so a
/// checkpoint whose manifest is missing or whose files do not match it was torn and is never loaded.
/// </summary>
public sealed record CheckpointManifest
{
    /// <summary>The checkpoint format this code writes; a newer one is refused on load.</summary>
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;
    /// <summary>Sortable id, e.g. <c>e0003-s000000450</c>: newer checkpoints sort after older ones.</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("job")] public required string Job { get; init; }
    [JsonPropertyName("epoch")] public required int Epoch { get; init; }
    [JsonPropertyName("step")] public required long Step { get; init; }
    [JsonPropertyName("created_at")] public required DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("files")] public required IReadOnlyList<CheckpointFile> Files { get; init; }
    /// <summary>The monitored metrics at this point (validation loss and accuracy, ...).</summary>
    [JsonPropertyName("metrics")] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>The sortable id of a checkpoint taken at <paramref name="epoch"/> after <paramref name="step"/> steps.</summary>
    public static string IdFor(int epoch, long step) => $"e{epoch:D4}-s{step:D9}";
}

/// <summary>One payload file of a checkpoint, with the SHA-256 of its bytes (lowercase hex).</summary>
public sealed record CheckpointFile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("length")] long Length,
    [property: JsonPropertyName("sha256")] string Sha256);
