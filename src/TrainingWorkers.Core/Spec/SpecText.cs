using System.Text.Json;

namespace TrainingWorkers.Core.Spec;

/// <summary>
/// The rules a spec's JSON text must follow before its fields are read: every text decodes (no lone surrogate
/// escape such as <c>\ud800</c>), no object repeats a field (JSON parsers disagree on which one wins), and no
/// value is <c>null</c> (leave a field out to get its default).
/// </summary>
internal static class SpecText
{
    private const string Undecodable = "is not valid Unicode text (a lone surrogate escape such as \\ud800)";

    /// <summary>Adds a problem of the text to <paramref name="errors"/>; false when some text does not decode, so no field can be read safely.</summary>
    public static bool Check(JsonElement root, List<SpecError> errors)
    {
        var before = errors.Count;
        Walk(root, "$", errors);
        return !errors.Skip(before).Any(e => e.Message.Contains(Undecodable, StringComparison.Ordinal));
    }

    private static void Walk(JsonElement element, string path, List<SpecError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var index = 0;
                foreach (var property in element.EnumerateObject())
                {
                    if (!TryDecode(() => property.Name, out var name))
                    {
                        errors.Add(new SpecError(path, $"field {index + 1}'s name {Undecodable}"));
                    }
                    else
                    {
                        var at = path == "$" ? name : $"{path}.{name}";
                        if (!seen.Add(name)) errors.Add(new SpecError(at, "appears twice: a field may be given once"));
                        Walk(property.Value, at, errors);
                    }

                    index++;
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) Walk(item, $"{path}[{i++}]", errors);
                break;
            case JsonValueKind.String when !TryDecode(element.GetString, out _):
                errors.Add(new SpecError(path, Undecodable));
                break;
            case JsonValueKind.Null:
                errors.Add(new SpecError(path, "must not be null: leave the field out to get its default"));
                break;
        }
    }

    private static bool TryDecode(Func<string?> read, out string text)
    {
        try
        {
            text = read() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }
}
