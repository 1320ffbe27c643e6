using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>
/// A numeric parameter in the space the search works in: logarithms for log-uniform (and log-scaled integers), integers
/// widened by half a step on each side so that every integer gets an equal share, values rounded back onto the parameter's steps.
/// </summary>
internal static class ParameterScale
{
    public static (double Low, double High) Bounds(SearchParameter p) => p.Distribution switch
    {
        Distribution.LogUniform => (Math.Log(p.Low), Math.Log(p.High)),
        Distribution.Int when p.Log => (Math.Log(p.Low - 0.5), Math.Log(p.High + 0.5)),
        Distribution.Int => (p.Low - (p.Step / 2.0), p.High + (p.Step / 2.0)),
        Distribution.Uniform => (p.Low, p.High),
        _ => throw new ArgumentException($"{p.Name}: a choice has no numeric scale", nameof(p)),
    };

    /// <summary>The value in the search's space, or null when <paramref name="value"/> is not a number within the parameter's bounds.</summary>
    public static double? Encode(SearchParameter p, JsonNode? value)
    {
        if (Number(value) is not { } number || number < p.Low || number > p.High) return null;
        return p.Distribution == Distribution.LogUniform || (p.Distribution == Distribution.Int && p.Log) ? Math.Log(number) : number;
    }

    /// <summary>A JSON number as a double, whatever holds it (a parsed element, or a long or double a sampler made); null otherwise.</summary>
    public static double? Number(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number : null;

    public static JsonNode Decode(SearchParameter p, double x)
    {
        var value = p.Distribution == Distribution.LogUniform || (p.Distribution == Distribution.Int && p.Log) ? Math.Exp(x) : x;
        if (p.Distribution != Distribution.Int) return JsonValue.Create(Math.Clamp(value, p.Low, p.High));
        var steps = Math.Round((value - p.Low) / p.Step, MidpointRounding.AwayFromZero);
        return JsonValue.Create((long)Math.Clamp(p.Low + (steps * p.Step), p.Low, p.High));
    }

    /// <summary>The index of <paramref name="value"/> among the choices, or -1.</summary>
    public static int ChoiceIndex(SearchParameter p, JsonNode? value)
    {
        for (var i = 0; i < p.Choices.Count; i++)
        {
            if (JsonNode.DeepEquals(p.Choices[i], value)) return i;
        }

        return -1;
    }

    /// <summary>Whether every parameter of the space has a usable value in <paramref name="values"/> (a warm-start trial from another space may not).</summary>
    public static bool Fits(IReadOnlyList<SearchParameter> space, JsonObject values) =>
        space.All(p => p.Distribution == Distribution.Choice ? ChoiceIndex(p, values[p.Name]) >= 0 : Encode(p, values[p.Name]) is not null);
}
