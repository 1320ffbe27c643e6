using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Json;

/// <summary>How enums are spelled wherever they leave the process (specs, reports, the rank protocol, records): snake_case.</summary>
public static class SnakeCase
{
    /// <summary><c>EarlyStopped</c> → <c>early_stopped</c>.</summary>
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

/// <summary>Writes and reads an enum as its <see cref="SnakeCase"/> name; numbers and unknown names are refused.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
