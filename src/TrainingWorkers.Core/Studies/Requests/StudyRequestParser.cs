using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>
/// Reads a study request (<c>"kind": "finetune"</c> or <c>"tune"</c>) with the job spec's discipline: strict JSON,
/// every broken rule collected with its path (the embedded spec's as <c>spec.training.learning_rate</c>), then one
/// <see cref="InvalidRequestException"/>. The JSON Schemas are <c>finetune-request.v1.schema.json</c> and <c>tune-request.v1.schema.json</c>.
/// </summary>
public static partial class StudyRequestParser
{
    /// <summary>The longest request name: the study id adds 23 characters, its jobs' ids a step key, within 128.</summary>
    public const int MaxNameLength = 40;

    /// <summary>Parses and validates; throws <see cref="InvalidRequestException"/> with every error.</summary>
    /// <param name="expectedKind">When set, a request of another kind is an error naming the command to use.</param>
    public static StudyRequest Parse(string json, string? expectedKind = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException([new SpecError("$", $"is not valid JSON: {FailureText.Bound(e.Message, FailureText.MaxName)}")]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidRequestException([new SpecError("$", "must be a JSON object")]);
            var errors = new List<SpecError>();
            if (!SpecText.Check(root, errors)) throw new InvalidRequestException(errors);
            var request = Read(new SpecReader(root, "", errors), expectedKind, errors);
            if (errors.Count > 0 || request is null) throw new InvalidRequestException(errors.Count > 0 ? errors : [new SpecError("$", "is not a study request")]);
            return request;
        }
    }

    private static StudyRequest? Read(SpecReader root, string? expectedKind, List<SpecError> errors)
    {
        var apiVersion = root.String("apiVersion", null);
        if (apiVersion is null) root.Error("apiVersion", $"is required (\"{StudyRequest.ApiVersionV1}\")");
        else if (apiVersion != StudyRequest.ApiVersionV1) root.Error("apiVersion", $"must be \"{StudyRequest.ApiVersionV1}\", got \"{apiVersion}\"");

        var kind = root.String("kind", null);
        if (kind is null) root.Error("kind", $"is required: \"{StudyKinds.FineTune}\" or \"{StudyKinds.Tune}\"");
        else if (kind is not (StudyKinds.FineTune or StudyKinds.Tune)) root.Error("kind", $"must be \"{StudyKinds.FineTune}\" or \"{StudyKinds.Tune}\", got \"{kind}\"");
        else if (expectedKind is not null && kind != expectedKind) root.Error("kind", $"is \"{kind}\": submit it with `tw {kind}`, not `tw {expectedKind}`");

        var name = root.String("name", null);
        if (name is null) root.Error("name", "is required");
        else if (!NamePattern().IsMatch(name)) root.Error("name", $"must be 1-{MaxNameLength} letters, digits, '.', '_' or '-', starting with a letter or digit, got \"{name}\"");

        JsonObject? spec = null;
        if (root.Raw("spec") is not { } raw) root.Error("spec", "is required: the job spec the study's jobs are made from");
        else if (raw.ValueKind != JsonValueKind.Object) root.Error("spec", "must be a job spec (an object)");
        else spec = JsonNode.Parse(raw.GetRawText())!.AsObject();

        StudyRequest? request = kind switch
        {
            StudyKinds.FineTune => FineTuneRequestReader.Read(root, name ?? "study", spec, errors),
            StudyKinds.Tune => TuneRequestReader.Read(root, name ?? "study", spec, errors),
            _ => null,
        };
        root.RejectUnknownFields();
        return name is null ? null : request;
    }

    /// <summary>Adds the errors of a job spec made from the request, under <paramref name="prefix"/> and with where it came from.</summary>
    /// <param name="renamed">Spec fields the request sets from one of its own (early_stopping.monitor from monitor): reported under the request's field.</param>
    internal static JobSpec? ParseSpec(JsonObject spec, string prefix, string? context, List<SpecError> errors, IReadOnlyDictionary<string, string>? renamed = null)
    {
        try
        {
            return JobSpecParser.Parse(spec.ToJsonString());
        }
        catch (InvalidSpecException e)
        {
            foreach (var error in e.Errors)
            {
                var at = renamed?.GetValueOrDefault(error.Path) ?? (error.Path == "$" ? prefix : $"{prefix}.{error.Path}");
                // The same rule broken in several stages' specs is reported once, with the first stage that broke it.
                if (errors.Any(x => x.Path == at && x.Message.StartsWith(error.Message, StringComparison.Ordinal))) continue;
                errors.Add(new SpecError(at, context is null ? error.Message : $"{error.Message} ({context})"));
            }

            return null;
        }
    }

    /// <summary>Whether the per-epoch <paramref name="metric"/> exists for the spec's task and data; the rule it breaks otherwise.</summary>
    internal static string? CheckEpochMetric(string metric, JobSpec spec)
    {
        var known = MetricNames.Epoch(spec.Data.Task);
        if (!known.Contains(metric)) return $"must be a per-epoch metric of this task: one of {string.Join(", ", known)}, got \"{metric}\"";
        var validation = spec.Data.Validation is not null || spec.Data.ValidationSplit > 0;
        return metric.StartsWith("val_", StringComparison.Ordinal) && !validation
            ? $"\"{metric}\" needs validation data: set spec.data.validation_split > 0 or spec.data.validation"
            : null;
    }

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,39}\z")]
    private static partial Regex NamePattern();
}
