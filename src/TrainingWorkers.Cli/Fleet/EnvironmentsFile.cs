using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// The named environments (<c>$TW_ENVIRONMENTS</c>, else <c>~/.config/tw/environments.json</c>):
/// <c>{"default": "local", "environments": {"local": {"region": ..., "queue_url": ..., ...}}}</c>.
/// </summary>
internal sealed record EnvironmentsFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public string? Default { get; init; }
    public Dictionary<string, FleetEnvironment> Environments { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Where the file is read from and written to.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("TW_ENVIRONMENTS") is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "tw", "environments.json");

    /// <summary>The file at <paramref name="path"/>, or null when there is none; a malformed file is a <see cref="FleetInputException"/>.</summary>
    public static EnvironmentsFile? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var file = JsonSerializer.Deserialize<EnvironmentsFile>(File.ReadAllText(path), Json)
                ?? throw new FleetInputException($"{path}: must be a JSON object");
            return file with { Environments = new(file.Environments ?? [], StringComparer.Ordinal) };
        }
        catch (JsonException e)
        {
            throw new FleetInputException($"{path}: is not a valid environments file: {e.Message}");
        }
    }

    /// <summary>Writes the file whole (to a temporary name, then renamed), so a reader never sees half of it.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json) + Environment.NewLine);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The known names, for error messages.</summary>
    public static string Known(EnvironmentsFile? file) =>
        file is null || file.Environments.Count == 0 ? "none" : string.Join(", ", file.Environments.Keys.Order(StringComparer.Ordinal));
}
