using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>
/// Reads a search space (<c>{"training.learning_rate": {"log_uniform": [1e-4, 0.1]}, ...}</c>) and checks it against the
/// base spec: each path must be a field the spec can hold, and the spec must stay valid at every choice and both bounds
/// of every parameter, so that no trial fails for a value the request allowed.
/// </summary>
internal static class SearchSpaceReader
{
    public const int MaxParameters = 20;
    private static readonly string[] Kinds = ["choice", "uniform", "log_uniform", "int"];

    public static IReadOnlyList<SearchParameter>? Read(SpecReader root, JsonObject? baseSpec, List<SpecError> errors)
    {
        if (root.Raw("search_space") is not { } space)
        {
            root.Error("search_space", "is required: {\"spec.path\": {\"choice\" | \"uniform\" | \"log_uniform\" | \"int\": ...}, ...}");
            return null;
        }

        if (space.ValueKind != JsonValueKind.Object || !space.EnumerateObject().Any())
        {
            root.Error("search_space", "must be an object with at least one parameter");
            return null;
        }

        var parameters = new List<SearchParameter>();
        var before = errors.Count;
        foreach (var property in space.EnumerateObject())
        {
            var at = $"search_space.{property.Name}";
            if (!SpecPath.TryParse(property.Name, out var path, out var pathError))
            {
                errors.Add(new SpecError(at, $"is not a spec path: {pathError}"));
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new SpecError(at, "must be an object such as {\"uniform\": [0, 0.5]}"));
                continue;
            }

            // Only a parameter without errors of its own is tried against the spec (its bounds may not even be numbers).
            var mark = errors.Count;
            if (ReadParameter(new SpecReader(property.Value, at, errors), path!) is { } parameter && errors.Count == mark) parameters.Add(parameter);
        }

        if (parameters.Count > MaxParameters) root.Error("search_space", $"must have at most {MaxParameters} parameters, got {parameters.Count}");
        if (baseSpec is not null)
        {
            foreach (var parameter in parameters) CheckCorners(parameter, baseSpec, errors);
        }

        return errors.Count == before ? parameters : null;
    }

    private static SearchParameter? ReadParameter(SpecReader r, SpecPath path)
    {
        var given = Kinds.Where(r.Has).ToList();
        if (given.Count != 1)
        {
            r.Error(given.Count == 0 ? "choice" : given[1], $"give exactly one of {string.Join(", ", Kinds)}");
            return null;
        }

        var kind = given[0];
        if (kind != "int")
        {
            r.Forbid("step", "applies to int parameters only");
            r.Forbid("log", "applies to int parameters only");
        }

        SearchParameter? parameter = kind switch
        {
            "choice" => Choice(r, path),
            "int" => Integer(r, path),
            _ => Real(r, path, kind == "log_uniform"),
        };
        r.RejectUnknownFields();
        return parameter;
    }

    private static SearchParameter? Choice(SpecReader r, SpecPath path)
    {
        var items = r.Array("choice", 1);
        if (items is null) return null;
        var choices = items.Select(i => JsonNode.Parse(i.Element.GetRawText())!).ToList();
        for (var i = 0; i < choices.Count; i++)
        {
            if (choices.Take(i).Any(c => JsonNode.DeepEquals(c, choices[i]))) r.Error($"choice[{i}]", "repeats an earlier choice");
        }

        return new SearchParameter { Path = path, Distribution = Distribution.Choice, Choices = choices };
    }

    private static SearchParameter? Real(SpecReader r, SpecPath path, bool log)
    {
        var field = log ? "log_uniform" : "uniform";
        if (Bounds(r, field) is not { } bounds) return null;
        var (low, high) = bounds;
        if (log && low <= 0) r.Error(field, $"needs a lower bound > 0 (its logarithm is drawn), got {low}");
        return new SearchParameter { Path = path, Distribution = log ? Distribution.LogUniform : Distribution.Uniform, Low = low, High = high };
    }

    private static SearchParameter? Integer(SpecReader r, SpecPath path)
    {
        if (Bounds(r, "int") is not { } bounds) return null;
        var (low, high) = bounds;
        var step = r.Int("step", 1, v => v >= 1, "must be >= 1");
        var log = r.Bool("log", false);
        if (low != Math.Floor(low) || high != Math.Floor(high) || Math.Abs(low) > int.MaxValue || Math.Abs(high) > int.MaxValue)
        {
            r.Error("int", $"needs integer bounds, got [{low}, {high}]");
            return null;
        }

        if ((high - low) % step != 0) r.Error("step", $"must divide high - low ({high - low}), got {step}");
        if (log && (low < 1 || step != 1)) r.Error("log", "needs a lower bound >= 1 and step 1");
        return new SearchParameter { Path = path, Distribution = Distribution.Int, Low = low, High = high, Step = step, Log = log };
    }

    private static (double Low, double High)? Bounds(SpecReader r, string field)
    {
        var items = r.Array(field, 2);
        if (items is null) return null;
        var numbers = items.Select(i => i.Element.ValueKind == JsonValueKind.Number && i.Element.TryGetDouble(out var d) && double.IsFinite(d) ? d : (double?)null).ToList();
        if (items.Count != 2 || numbers.Any(n => n is null))
        {
            r.Error(field, "must be [low, high], two numbers");
            return null;
        }

        if (numbers[0] < numbers[1]) return (numbers[0]!.Value, numbers[1]!.Value);
        r.Error(field, $"needs low < high, got [{numbers[0]}, {numbers[1]}]");
        return null;
    }

    // The spec with this parameter at each of its extremes (the others as the base spec has them) must be valid.
    private static void CheckCorners(SearchParameter parameter, JsonObject baseSpec, List<SpecError> errors)
    {
        var at = $"search_space.{parameter.Name}";
        foreach (var value in parameter.Corners())
        {
            var spec = (JsonObject)baseSpec.DeepClone();
            if (!parameter.Path.TrySet(spec, value, out var error))
            {
                errors.Add(new SpecError(at, $"cannot be set in the spec: {error}"));
                return;
            }

            var shown = FailureText.Bound(value.ToJsonString(), 60);
            StudyRequestParser.ParseSpec(spec, $"{at} = {shown}: spec", null, errors);
        }
    }
}
