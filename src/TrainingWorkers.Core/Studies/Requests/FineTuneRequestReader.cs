using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>Reads a fine-tune request, and the pipeline part a sweep over a pipeline's stage shares with it.</summary>
internal static class FineTuneRequestReader
{
    /// <summary>What the stage specs are validated with in place of the weights the pipeline resolves as it runs.</summary>
    public const string PlaceholderModel = "s3://base-model/model.pt";
    public const string PlaceholderCheckpoint = "s3://previous-stage/checkpoints/e0001-s000000001/";

    private static readonly FineTuneApproach[] DefaultCompare = [FineTuneApproach.Continue, FineTuneApproach.Freeze, FineTuneApproach.Gradual, FineTuneApproach.Scratch];

    public static FineTuneRequest? Read(SpecReader root, string name, JsonObject? spec, List<SpecError> errors)
    {
        var baseModel = ReadBaseModel(root);
        var approach = ReadApproach(root, [FineTuneApproach.Continue, FineTuneApproach.Freeze, FineTuneApproach.Gradual, FineTuneApproach.Evaluate, FineTuneApproach.Compare]);
        IReadOnlyList<FineTuneApproach> compare = [];
        if (approach == FineTuneApproach.Compare) compare = (IReadOnlyList<FineTuneApproach>?)ReadCompare(root) ?? DefaultCompare;
        else root.Forbid("compare", "applies to the approach compare only");
        var fallback = spec?["early_stopping"] is JsonObject es && es["monitor"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : MetricNames.ValLoss;
        var monitor = root.String("monitor", fallback)!;
        var mode = root.Enum("mode", MonitorMode.Auto);
        if (!monitor.StartsWith("val_", StringComparison.Ordinal))
        {
            root.Error("monitor", $"must be a validation metric (val_...): it picks checkpoints and ranks approaches on data none of them trained on, got \"{monitor}\"");
        }

        var stages = ReadStages(root.Object("stages"));
        if (spec is null || baseModel is null || approach is null) return null;
        var higher = mode == MonitorMode.Max || (mode == MonitorMode.Auto && MetricNames.HigherIsBetter(monitor));
        return Build(name, spec, baseModel, approach.Value, compare, monitor, higher, stages, "monitor", errors);
    }

    /// <summary>The request, with every stage spec of every approach built (placeholder weights) and validated.</summary>
    /// <param name="monitorField">The request field the stages' early_stopping.monitor comes from, for its errors.</param>
    public static FineTuneRequest? Build(string name, JsonObject spec, BaseModel baseModel, FineTuneApproach approach, IReadOnlyList<FineTuneApproach> compare,
        string monitor, bool higher, StageOptions stages, string monitorField, List<SpecError> errors)
    {
        var before = errors.Count;
        if (spec.ContainsKey("fine_tune")) errors.Add(new SpecError("spec.fine_tune", "is set by the pipeline for each stage: give base_model and stages instead"));
        foreach (var section in new[] { "model", "training", "checkpointing", "early_stopping" })
        {
            if (spec[section] is { } value && value is not JsonObject) errors.Add(new SpecError($"spec.{section}", "must be an object"));
        }

        if (baseModel.TorchScript is not null && spec["model"] is JsonObject model && model["type"] is JsonValue type && type.ToString() != "torchscript")
        {
            errors.Add(new SpecError("spec.model.type", $"must be torchscript (or left out) with base_model.torchscript, got \"{type}\""));
        }

        if (baseModel.TorchScript is not null && compare.Contains(FineTuneApproach.Scratch))
        {
            errors.Add(new SpecError("compare", "scratch cannot be built from a TorchScript base model: leave it out of compare"));
        }

        if (errors.Count > before) return null;
        var request = new FineTuneRequest
        {
            Name = name, Spec = spec, ParsedSpec = null!, BaseModel = baseModel, Approach = approach, Compare = compare,
            Monitor = monitor, HigherIsBetter = higher, Stages = stages,
        };
        var renamed = new Dictionary<string, string> { ["early_stopping.monitor"] = monitorField };
        JobSpec? parsed = null;
        foreach (var branch in FineTunePlan.Approaches(request))
        {
            var planned = FineTunePlan.Stages(request, branch);
            for (var i = 0; i < planned.Count; i++)
            {
                var stageSpec = FineTunePlan.StageSpec(request, branch, i, i == 0 ? PlaceholderModel : PlaceholderCheckpoint, FineTunePlan.JobName(name, branch, planned[i].Name));
                var context = $"in the {SpecReader.SnakeCase(branch)} approach's {planned[i].Name} stage";
                var stageParsed = StudyRequestParser.ParseSpec(stageSpec, "spec", context, errors, renamed);
                parsed ??= stageParsed;
            }
        }

        return parsed is null || errors.Count > before ? null : request with { ParsedSpec = parsed };
    }

    public static BaseModel? ReadBaseModel(SpecReader parent)
    {
        var r = parent.Object("base_model");
        if (r is null)
        {
            if (!parent.Has("base_model")) parent.Error("base_model", "is required: {\"job\": ID}, {\"uri\": \"s3://...\"} or {\"torchscript\": \"s3://...\"}");
            return null;
        }

        var model = new BaseModel { Job = r.String("job", null), Uri = r.String("uri", null), TorchScript = r.String("torchscript", null) };
        r.RejectUnknownFields();
        var given = new[] { model.Job, model.Uri, model.TorchScript }.Count(v => v is not null);
        if (given != 1)
        {
            parent.Error("base_model", $"must name exactly one of job, uri or torchscript, got {given}");
            return null;
        }

        if (model.Job is { } job && !JobMessage.IsValidJobId(job)) r.Error("job", $"must be a job id ({JobMessage.JobIdRule}), got \"{job}\"");
        foreach (var (field, uri) in new[] { ("uri", model.Uri), ("torchscript", model.TorchScript) })
        {
            if (uri is not null && !IsS3Uri(uri)) r.Error(field, $"must be an s3:// URI (the workers fetch it from S3), got \"{uri}\"");
        }

        return model;
    }

    public static FineTuneApproach? ReadApproach(SpecReader r, IReadOnlyList<FineTuneApproach> allowed)
    {
        if (!r.Has("approach"))
        {
            r.Error("approach", $"is required: one of {string.Join(", ", allowed.Select(SpecReader.SnakeCase))}");
            return null;
        }

        var name = r.String("approach", null);
        var approach = allowed.FirstOrDefault(a => SpecReader.SnakeCase(a) == name, FineTuneApproach.Scratch);
        if (name is not null && allowed.Contains(approach)) return approach;
        if (name is not null) r.Error("approach", $"must be one of {string.Join(", ", allowed.Select(SpecReader.SnakeCase))}, got \"{name}\"");
        return null;
    }

    public static StageOptions ReadStages(SpecReader? r)
    {
        var defaults = new StageOptions();
        if (r is null) return defaults;
        var stages = new StageOptions
        {
            HeadEpochs = r.NullableInt("head_epochs", v => v is >= 1 and <= 100_000, "must be between 1 and 100000"),
            FullEpochs = r.NullableInt("full_epochs", v => v is >= 1 and <= 100_000, "must be between 1 and 100000"),
            BackboneLearningRate = r.NullableNumber("backbone_learning_rate", v => v is > 0 and <= 10, "must be > 0 and <= 10"),
            Freeze = r.StringArray("freeze") ?? defaults.Freeze,
            ReplaceHead = r.Bool("replace_head", defaults.ReplaceHead),
        };
        r.RejectUnknownFields();
        return stages;
    }

    private static List<FineTuneApproach>? ReadCompare(SpecReader root)
    {
        var names = root.StringArray("compare");
        if (names is null) return null;
        var allowed = new[] { FineTuneApproach.Continue, FineTuneApproach.Freeze, FineTuneApproach.Gradual, FineTuneApproach.Evaluate, FineTuneApproach.Scratch };
        var byName = allowed.ToDictionary(SpecReader.SnakeCase, a => a, StringComparer.Ordinal);
        var result = new List<FineTuneApproach>();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            if (!byName.TryGetValue(name, out var approach)) root.Error($"compare[{i}]", $"must be one of {string.Join(", ", byName.Keys)}, got \"{name}\"");
            else if (result.Contains(approach)) root.Error($"compare[{i}]", $"\"{name}\" is listed twice");
            else result.Add(approach);
        }

        if (result.Count == names.Count && result.Count < 2) root.Error("compare", "must list at least two approaches");
        return result;
    }

    private static bool IsS3Uri(string uri) =>
        uri.StartsWith("s3://", StringComparison.Ordinal) && uri.Length > 5 && uri.IndexOf('/', 5) is var slash && slash != 5 && slash != -1 && slash < uri.Length - 1;
}
