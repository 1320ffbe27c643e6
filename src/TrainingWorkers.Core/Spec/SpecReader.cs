using System.Globalization;
using System.Text.Json;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Core.Spec;

/// <summary>
/// Reads one JSON object of a spec field by field, recording every problem with its path instead of
/// stopping at the first, and reporting the fields nobody asked for as unknown.
/// </summary>
internal sealed class SpecReader
{
    private readonly JsonElement _element;
    private readonly List<SpecError> _errors;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public SpecReader(JsonElement element, string path, List<SpecError> errors)
    {
        _element = element;
        Path = path;
        _errors = errors;
    }

    public string Path { get; }

    public string At(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    /// <summary>Records a problem; what it echoes of the user's input is bounded.</summary>
    public void Error(string name, string message) => _errors.Add(new SpecError(At(name), FailureText.Bound(message, 3 * FailureText.MaxName)));

    /// <summary>The JSON kind of a field (Undefined when absent), without marking it read.</summary>
    public JsonValueKind Kind(string name) => _element.TryGetProperty(name, out var v) ? v.ValueKind : JsonValueKind.Undefined;

    public bool Has(string name) => _element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public string? String(string name, string? fallback)
    {
        if (!TryGet(name, out var v)) return fallback;
        if (v.ValueKind != JsonValueKind.String)
        {
            Error(name, $"must be a string, got {Describe(v)}");
            return fallback;
        }

        var text = v.GetString()!;
        if (!string.IsNullOrWhiteSpace(text)) return text;
        Error(name, "must not be empty");
        return fallback;
    }

    /// <summary>A string that must be one of <typeparamref name="TEnum"/>'s names in snake_case.</summary>
    public TEnum Enum<TEnum>(string name, TEnum fallback) where TEnum : struct, Enum
    {
        var text = String(name, null);
        if (text is null) return fallback;
        var names = System.Enum.GetValues<TEnum>().ToDictionary(SnakeCase, e => e, StringComparer.Ordinal);
        if (names.TryGetValue(text, out var value)) return value;
        Error(name, $"must be one of {string.Join(", ", names.Keys)}, got '{text}'");
        return fallback;
    }

    public double Number(string name, double fallback, Func<double, bool> rule, string ruleText) =>
        NullableNumber(name, rule, ruleText) ?? fallback;

    public double? NullableNumber(string name, Func<double, bool> rule, string ruleText)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            Error(name, $"must be a number, got {Describe(v)}");
            return null;
        }

        if (rule(d)) return d;
        Error(name, $"{ruleText}, got {d.ToString(CultureInfo.InvariantCulture)}");
        return null;
    }

    public int Int(string name, int fallback, Func<int, bool> rule, string ruleText) => NullableInt(name, rule, ruleText) ?? fallback;

    public int? NullableInt(string name, Func<int, bool> rule, string ruleText)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i))
        {
            Error(name, $"must be an integer, got {Describe(v)}");
            return null;
        }

        if (rule(i)) return i;
        Error(name, $"{ruleText}, got {i.ToString(CultureInfo.InvariantCulture)}");
        return null;
    }

    public ulong ULong(string name, ulong fallback)
    {
        if (!TryGet(name, out var v)) return fallback;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out var u)) return u;
        Error(name, $"must be a non-negative integer, got {Describe(v)}");
        return fallback;
    }

    public bool Bool(string name, bool fallback)
    {
        if (!TryGet(name, out var v)) return fallback;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
        Error(name, $"must be true or false, got {Describe(v)}");
        return fallback;
    }

    /// <summary>A nested object, or null when absent (or not an object, which is recorded).</summary>
    public SpecReader? Object(string name)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Object) return new SpecReader(v, At(name), _errors);
        Error(name, $"must be an object, got {Describe(v)}");
        return null;
    }

    /// <summary>The field's JSON as it is (marked read), or null when absent: for values another reader takes apart.</summary>
    public JsonElement? Raw(string name) => TryGet(name, out var v) ? v : null;

    /// <summary>A reader for an object element of an array read with <see cref="Array"/>; null (recorded) when it is not an object.</summary>
    public SpecReader? Element(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object) return new SpecReader(element, path, _errors);
        _errors.Add(new SpecError(path, $"must be an object, got {Describe(element)}"));
        return null;
    }

    /// <summary>The elements of an array with their paths, or null when absent.</summary>
    public IReadOnlyList<(JsonElement Element, string Path)>? Array(string name, int minLength)
    {
        if (!TryGet(name, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array)
        {
            Error(name, $"must be an array, got {Describe(v)}");
            return null;
        }

        var items = v.EnumerateArray().Select((e, i) => (e, $"{At(name)}[{i}]")).ToList();
        if (items.Count >= minLength) return items;
        Error(name, $"must have at least {minLength} element{(minLength == 1 ? "" : "s")}, got {items.Count}");
        return null;
    }

    /// <summary>An array of integers each passing <paramref name="rule"/>.</summary>
    public IReadOnlyList<int>? IntArray(string name, int minLength, Func<int, bool> rule, string ruleText)
    {
        var items = Array(name, minLength);
        if (items is null) return null;
        var result = new List<int>();
        foreach (var (element, path) in items)
        {
            if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var i) && rule(i)) result.Add(i);
            else _errors.Add(new SpecError(path, element.ValueKind == JsonValueKind.Number ? $"{ruleText}, got {element.GetRawText()}" : $"must be an integer, got {Describe(element)}"));
        }

        return result.Count == items.Count ? result : null;
    }

    public IReadOnlyList<string>? StringArray(string name)
    {
        var items = Array(name, 1);
        if (items is null) return null;
        var bad = items.Where(i => i.Element.ValueKind != JsonValueKind.String).ToList();
        foreach (var (element, path) in bad) _errors.Add(new SpecError(path, $"must be a string, got {Describe(element)}"));
        return bad.Count == 0 ? items.Select(i => i.Element.GetString()!).ToList() : null;
    }

    /// <summary>Records every field of this object that was not read as unknown. Call once, last.</summary>
    public void RejectUnknownFields()
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!_read.Contains(property.Name)) Error(property.Name, "unknown field");
        }
    }

    /// <summary>Marks a field as not allowed here, e.g. a CNN-only field on an MLP.</summary>
    public void Forbid(string name, string why)
    {
        if (_element.TryGetProperty(name, out _))
        {
            _read.Add(name);
            Error(name, why);
        }
    }

    internal static string SnakeCase<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private bool TryGet(string name, out JsonElement value)
    {
        _read.Add(name);
        return _element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{FailureText.Bound(v.GetString()!, FailureText.MaxName)}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
        _ => FailureText.Bound(v.GetRawText(), FailureText.MaxName),
    };
}
