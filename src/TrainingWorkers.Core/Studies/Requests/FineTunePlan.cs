using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>
/// Turns a fine-tune request into stages and each stage into a job spec. Every stage checkpoints every epoch and
/// early-stops on the pipeline's monitored metric, so that its best checkpoint is kept (retention keeps the best)
/// and the next stage can start from it; a spec that turned early stopping off gets a patience of all its epochs.
/// </summary>
public static class FineTunePlan
{
    public const string Head = "head";
    public const string Full = "full";
    public const string Evaluate = "evaluate";
    public const string Scratch = "scratch";

    /// <summary>The approaches a request runs side by side: one, or the comparison's.</summary>
    public static IReadOnlyList<FineTuneApproach> Approaches(FineTuneRequest request) =>
        request.Approach == FineTuneApproach.Compare ? request.Compare : [request.Approach];

    /// <summary>The stages of <paramref name="approach"/>, in order.</summary>
    public static IReadOnlyList<PlannedStage> Stages(FineTuneRequest request, FineTuneApproach approach)
    {
        var epochs = Epochs(request.Spec);
        var o = request.Stages;
        return approach switch
        {
            FineTuneApproach.Continue => [new(Full, o.FullEpochs ?? epochs)],
            FineTuneApproach.Freeze => [new(Head, o.HeadEpochs ?? epochs)],
            FineTuneApproach.Gradual => Gradual(o, epochs),
            FineTuneApproach.Evaluate => [new(Evaluate, 0)],
            FineTuneApproach.Scratch => [new(Scratch, epochs)],
            _ => throw new ArgumentOutOfRangeException(nameof(approach), approach, "compare is not a branch's approach"),
        };
    }

    /// <summary>
    /// The job spec of stage <paramref name="index"/> of <paramref name="approach"/>, named <paramref name="jobName"/>, starting
    /// from <paramref name="from"/>: the base model's weights for the first stage, the previous stage's best checkpoint after.
    /// </summary>
    public static JsonObject StageSpec(FineTuneRequest request, FineTuneApproach approach, int index, string? from, string jobName)
    {
        var stage = Stages(request, approach)[index];
        var spec = (JsonObject)request.Spec.DeepClone();
        spec["name"] = jobName;
        Section(spec, "training")["epochs"] = stage.Epochs;
        Section(spec, "checkpointing")["every_epochs"] = 1;
        MonitorWith(spec, request, stage.Epochs);
        var script = request.BaseModel.TorchScript;
        if (script is not null && approach != FineTuneApproach.Scratch)
        {
            var model = Section(spec, "model");
            model["type"] = "torchscript";
            model["path"] = script;
        }

        var o = request.Stages;
        var fineTune = new JsonObject();
        // A TorchScript model's first stage starts from the script's own weights.
        if (from is not null && !(script is not null && index == 0)) fineTune["from"] = from;
        switch (stage.Name)
        {
            case Scratch:
                return spec;
            case Head:
                fineTune["replace_head"] = o.ReplaceHead;
                fineTune["freeze"] = new JsonArray(o.Freeze.Select(f => (JsonNode)f).ToArray());
                break;
            case Full:
                // After a head stage the head already fits the new classes: only the first stage replaces it.
                fineTune["replace_head"] = index == 0 && o.ReplaceHead;
                fineTune["backbone_learning_rate"] = o.BackboneLearningRate ?? LearningRate(request.Spec) / 10;
                break;
        }

        if (fineTune.Count > 0) spec["fine_tune"] = fineTune;
        return spec;
    }

    /// <summary>The name of a pipeline job: <c>{name}-{approach}-{stage}</c>, within the 64 characters a spec name may have.</summary>
    public static string JobName(string name, FineTuneApproach approach, string stage)
    {
        var full = $"{name}-{approach.ToString().ToLowerInvariant()}-{stage}";
        return full.Length <= 64 ? full : full[..64].TrimEnd('-', '.', '_');
    }

    /// <summary>training.epochs of a raw spec, or its default.</summary>
    public static int Epochs(JsonObject spec) =>
        spec["training"] is JsonObject t && t["epochs"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var e) ? e : new TrainingSpec().Epochs;

    private static double LearningRate(JsonObject spec) =>
        spec["training"] is JsonObject t && t["learning_rate"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var lr) && lr > 0
            ? lr : new TrainingSpec().LearningRate;

    private static PlannedStage[] Gradual(StageOptions o, int epochs)
    {
        var head = o.HeadEpochs ?? Math.Max(1, epochs / 2);
        return [new(Head, head), new(Full, o.FullEpochs ?? Math.Max(1, epochs - head))];
    }

    private static void MonitorWith(JsonObject spec, FineTuneRequest request, int epochs)
    {
        var mode = request.HigherIsBetter ? "max" : "min";
        if (spec["early_stopping"] is JsonObject es && !(es["enabled"] is JsonValue enabled && enabled.GetValueKind() == JsonValueKind.False))
        {
            es["monitor"] = request.Monitor;
            es["mode"] = mode;
            return;
        }

        // Off (or left to its default): on, so that checkpoint retention keeps the best epoch, but never stopping early when it was off.
        var off = spec["early_stopping"] is JsonObject;
        var stopping = new JsonObject { ["monitor"] = request.Monitor, ["mode"] = mode };
        if (off) stopping["patience"] = Math.Max(1, epochs);
        spec["early_stopping"] = stopping;
    }

    private static JsonObject Section(JsonObject spec, string name)
    {
        if (spec[name] is JsonObject section) return section;
        section = [];
        spec[name] = section;
        return section;
    }
}
