using System.Text.Json.Nodes;
using TrainingWorkers.Core.Json;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Training;

/// <summary>The final report of a run (report.json, and `tw run --output json`).</summary>
public static class RunReport
{
    public static JsonObject Build(JobSpec spec, TrainingResult result, JsonObject artifacts)
    {
        var report = new JsonObject
        {
            ["job"] = spec.Name,
            ["stop_reason"] = SnakeCase.Of(result.StopReason),
            ["epochs_run"] = result.History.Count,
            ["monitor"] = result.Monitor,
            ["best_epoch"] = result.BestEpoch,
            ["best_value"] = Number(result.BestValue),
            ["restored_best_weights"] = result.RestoredBestWeights,
            ["device"] = result.Device,
            ["parameters"] = result.Parameters,
            ["duration_seconds"] = Math.Round(result.Duration.TotalSeconds, 3),
            ["validation"] = Evaluation(result.Validation, "val_"),
            ["test"] = Evaluation(result.Test, "test_"),
            ["history"] = new JsonArray(result.History.Select(Epoch).ToArray()),
            ["last_checkpoint"] = result.LastCheckpoint,
            ["resumed_from"] = result.ResumedFrom,
            ["input"] = Input(result),
            ["artifacts"] = artifacts,
        };
        return report;
    }

    /// <summary>The numbers of a report a job's record keeps: its validation and test metrics (val_, test_) and epochs_run.</summary>
    public static IReadOnlyDictionary<string, double> FinalMetrics(JsonNode? report)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (report is not JsonObject root) return metrics;
        foreach (var (section, prefix) in new[] { ("validation", "val_"), ("test", "test_") })
        {
            if (root[section] is not JsonObject values) continue;
            foreach (var (name, value) in values)
            {
                if (value is JsonValue number && number.TryGetValue<double>(out var v)) metrics[prefix + name] = v;
            }
        }

        if (root["epochs_run"] is JsonValue epochs && epochs.TryGetValue<int>(out var run)) metrics["epochs_run"] = run;
        return metrics;
    }

    // Whether the run was input-bound: the step's wait for data, and the decoding work behind it.
    private static JsonObject Input(TrainingResult result) => new()
    {
        ["loader_threads"] = result.LoaderThreads,
        ["wait_seconds"] = Math.Round(result.Input?.WaitTime.TotalSeconds ?? 0, 3),
        ["wait_share"] = Math.Round((result.Input?.WaitTime.TotalSeconds ?? 0) / Math.Max(result.Duration.TotalSeconds, 1e-9), 4),
        ["images_decoded"] = result.Input?.ImagesDecoded ?? 0,
        ["decode_cpu_seconds"] = Math.Round(result.Input?.DecodeTime.TotalSeconds ?? 0, 3),
        ["images_skipped"] = result.Input?.ImagesSkipped ?? 0,
    };

    private static JsonNode? Evaluation(EvaluationReport? report, string prefix)
    {
        if (report is null) return null;
        var node = new JsonObject();
        foreach (var (name, value) in report.Metrics(prefix)) node[name[prefix.Length..]] = Number(value);
        if (report.Classification is { } c)
        {
            node["per_class"] = new JsonArray(c.PerClass.Select(p => (JsonNode)new JsonObject
            {
                ["class"] = p.Name,
                ["precision"] = Number(p.Precision),
                ["recall"] = Number(p.Recall),
                ["f1"] = Number(p.F1),
                ["support"] = p.Support,
            }).ToArray());
            var counts = c.ConfusionMatrix; // a copy per get: take it once
            var matrix = new JsonArray();
            for (var i = 0; i < c.Classes; i++)
            {
                matrix.Add(new JsonArray(Enumerable.Range(0, c.Classes).Select(j => (JsonNode)counts[i, j]).ToArray()));
            }

            node["confusion_matrix"] = matrix;
        }

        return node;
    }

    private static JsonNode Epoch(EpochSummary e)
    {
        var node = new JsonObject { ["epoch"] = e.Epoch };
        foreach (var (name, value) in e.Metrics) node[name] = Number(value);
        node["learning_rate"] = e.LearningRate;
        node["seconds"] = Math.Round(e.Duration.TotalSeconds, 3);
        node["samples_per_second"] = Math.Round(e.SamplesPerSecond, 1);
        node["improved"] = e.Improved;
        return node;
    }

    // JSON has no NaN: an undefined metric (an AUC with one class present) is null.
    private static JsonNode? Number(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;
}
