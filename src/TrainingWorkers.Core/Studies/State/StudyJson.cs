using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Studies.State;

/// <summary>How study states and results are written and read: snake_case enums, NaN allowed (a diverged loss).</summary>
public static class StudyJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>The state or result in <paramref name="json"/>; a new one for null.</summary>
    public static T Read<T>(string? json) where T : new() => json is null ? new T() : JsonSerializer.Deserialize<T>(json, Options) ?? new T();
}
