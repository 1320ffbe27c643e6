using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Engine.Data.Shards;

/// <summary>
/// <c>dataset.json</c> beside the shards that <c>tw dataset pack</c> writes: the class names and every shard with
/// its number of samples, so each rank knows the epoch's length (and its shards) before reading a byte.
/// </summary>
public sealed record ShardManifest
{
    public const string FileName = "dataset.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    [JsonPropertyName("format")] public string Format { get; init; } = "webdataset";
    [JsonPropertyName("classes")] public required IReadOnlyList<string> Classes { get; init; }
    [JsonPropertyName("shards")] public required IReadOnlyList<ShardInfo> Shards { get; init; }

    [JsonIgnore] public long Samples => Shards.Sum(s => (long)s.Samples);

    /// <summary>A digest of the manifest: a checkpoint's stream position is only valid for the same shards.</summary>
    [JsonIgnore] public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(this, Json)))[..16];

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses dataset.json; null when it is not one.</summary>
    public static ShardManifest? Parse(byte[] json)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<ShardManifest>(json, Json);
            return manifest is { Format: "webdataset", Classes.Count: > 0, Shards.Count: > 0 }
                && manifest.Shards.All(s => s.Samples > 0 && IsPlainName(s.Name)) ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // A shard is a file beside the manifest: no directories, no way out of them.
    private static bool IsPlainName(string? name) =>
        name is { Length: > 0 and <= 255 } && name.IndexOfAny(['/', '\\', '\0']) < 0 && name is not ("." or "..");
}

/// <summary>One tar shard: its file name beside the manifest and how many samples it holds.</summary>
public sealed record ShardInfo([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("samples")] int Samples);
