using System.Globalization;
using System.Text.Json.Nodes;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>
/// A field of a job spec named by its path, as spec errors name it: <c>training.learning_rate</c>, <c>model.hidden[0]</c>,
/// <c>model.conv[1].filters</c>. Setting one creates the objects on the way (a field the spec left to its default);
/// array elements must exist.
/// </summary>
public sealed class SpecPath
{
    private readonly IReadOnlyList<(string Name, IReadOnlyList<int> Indices)> _segments;

    private SpecPath(string text, IReadOnlyList<(string, IReadOnlyList<int>)> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>Parses <paramref name="text"/>; false with the reason when it is not a path.</summary>
    public static bool TryParse(string text, out SpecPath? path, out string? error)
    {
        (path, error) = (null, null);
        var segments = new List<(string, IReadOnlyList<int>)>();
        foreach (var part in text.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                error = $"'{part}' is not a field name (letters, digits and '_', then optional [index])";
                return false;
            }

            var indices = new List<int>();
            var rest = bracket < 0 ? "" : part[bracket..];
            while (rest.Length > 0)
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                if (rest[0] != '[' || close < 2 || !int.TryParse(rest.AsSpan(1, close - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    error = $"'{part}' has a bad index: write [0], [1], ...";
                    return false;
                }

                indices.Add(index);
                rest = rest[(close + 1)..];
            }

            segments.Add((name, indices));
        }

        path = new SpecPath(text, segments);
        return true;
    }

    /// <summary>The value at the path, or null when it is not there.</summary>
    public JsonNode? Get(JsonObject root)
    {
        JsonNode? node = root;
        foreach (var (name, indices) in _segments)
        {
            node = node is JsonObject o ? o[name] : null;
            foreach (var i in indices) node = node is JsonArray a && i < a.Count ? a[i] : null;
            if (node is null) return null;
        }

        return node;
    }

    /// <summary>Sets the value at the path (a deep copy of <paramref name="value"/>); false with the reason when the path cannot hold it.</summary>
    public bool TrySet(JsonObject root, JsonNode value, out string? error)
    {
        error = null;
        JsonNode parent = root;
        for (var s = 0; s < _segments.Count; s++)
        {
            var (name, indices) = _segments[s];
            var last = s == _segments.Count - 1;
            if (parent is not JsonObject obj)
            {
                error = $"'{name}' is inside something that is not an object";
                return false;
            }

            if (last && indices.Count == 0)
            {
                obj[name] = value.DeepClone();
                return true;
            }

            if (obj[name] is null)
            {
                if (indices.Count > 0)
                {
                    error = $"'{name}' is not in the spec, so it has no element [{indices[0]}]: give the whole array in the spec";
                    return false;
                }

                obj[name] = new JsonObject();
            }

            JsonNode current = obj[name]!;
            for (var k = 0; k < indices.Count; k++)
            {
                if (current is not JsonArray array || indices[k] >= array.Count)
                {
                    error = $"'{name}' has no element [{indices[k]}]";
                    return false;
                }

                if (last && k == indices.Count - 1)
                {
                    array[indices[k]] = value.DeepClone();
                    return true;
                }

                current = array[indices[k]]!;
            }

            parent = current;
        }

        return true;
    }
}
