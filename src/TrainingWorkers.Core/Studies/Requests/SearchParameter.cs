using System.Text.Json.Nodes;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>One dimension of a search space: the spec field it sets and the values it takes.</summary>
public sealed record SearchParameter
{
    /// <summary>The spec field, e.g. <c>training.learning_rate</c> or <c>model.hidden[0]</c>; also the parameter's name.</summary>
    public required SpecPath Path { get; init; }
    public required Distribution Distribution { get; init; }
    public double Low { get; init; }
    public double High { get; init; }
    /// <summary>Integers: the step between values (low, low + step, ..., high).</summary>
    public int Step { get; init; } = 1;
    /// <summary>Integers: drawn log-uniformly.</summary>
    public bool Log { get; init; }
    public IReadOnlyList<JsonNode> Choices { get; init; } = [];

    public string Name => Path.Text;

    /// <summary>Choice, and integers on their steps: the values a grid walks.</summary>
    public IReadOnlyList<JsonNode> GridValues() => Distribution switch
    {
        Distribution.Choice => Choices,
        Distribution.Int => Enumerable.Range(0, (int)((High - Low) / Step) + 1).Select(i => (JsonNode)JsonValue.Create((long)Low + ((long)i * Step))).ToList(),
        _ => throw new InvalidOperationException($"{Name}: a {Distribution} parameter has no grid"),
    };

    /// <summary>
    /// The values a request is validated with: every choice, or both bounds; for a real parameter also a fractional value
    /// between them (a field that takes integers must be an int parameter).
    /// </summary>
    public IReadOnlyList<JsonNode> Corners() => Distribution switch
    {
        Distribution.Choice => Choices,
        Distribution.Int => [JsonValue.Create((long)Low), JsonValue.Create((long)High)],
        Distribution.LogUniform => [JsonValue.Create(Low), JsonValue.Create(High), JsonValue.Create(Math.Exp(Math.Log(Low) + ((Math.Log(High) - Math.Log(Low)) / Math.PI)))],
        _ => [JsonValue.Create(Low), JsonValue.Create(High), JsonValue.Create(Low + ((High - Low) / Math.PI))],
    };
}
