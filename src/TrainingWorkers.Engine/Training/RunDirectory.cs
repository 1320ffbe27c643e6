using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Reports;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Training;

/// <summary>
/// A run's files: metrics.jsonl, checkpoints/, model.pt (the final weights), report.json, and the
/// pictures (learning_curves.svg, confusion_matrix.svg, roc_curve.svg for two classes).
/// </summary>
public sealed class RunDirectory
{
    public RunDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
    public string MetricsFile => File("metrics.jsonl");
    public string CheckpointDirectory => File("checkpoints");
    public string ModelFile => File("model.pt");
    public string TorchScriptFile => File("model.torchscript.pt");
    public string ReportFile => File("report.json");
    public string LearningCurvesFile => File("learning_curves.svg");
    public string ConfusionMatrixFile => File("confusion_matrix.svg");
    public string RocCurveFile => File("roc_curve.svg");

    /// <summary>The files a finished run leaves for its user (the model, its TorchScript export, the report, metrics and pictures) that exist.</summary>
    public IReadOnlyList<string> Results =>
        new[] { ModelFile, TorchScriptFile, ReportFile, MetricsFile, LearningCurvesFile, ConfusionMatrixFile, RocCurveFile }.Where(System.IO.File.Exists).ToList();

    /// <summary>The final metrics of a finished run, from its report (<see cref="RunReport.FinalMetrics"/>).</summary>
    public IReadOnlyDictionary<string, double> ReadFinalMetrics() =>
        System.IO.File.Exists(ReportFile) ? RunReport.FinalMetrics(JsonNode.Parse(System.IO.File.ReadAllText(ReportFile))) : new Dictionary<string, double>();

    /// <summary>A new directory under <paramref name="root"/> named after the job and the time.</summary>
    public static RunDirectory CreateUnder(string root, string jobName)
    {
        var name = $"{jobName}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        var path = System.IO.Path.Combine(root, name);
        // Two runs of one job in the same second get -2, -3, ...: a run never writes into another's directory.
        for (var i = 2; Directory.Exists(path); i++) path = System.IO.Path.Combine(root, $"{name}-{i}");
        return new RunDirectory(path);
    }

    /// <summary>Writes the model, the pictures and report.json; returns the report.</summary>
    public JsonObject WriteResults(JobSpec spec, TrainingResult result)
    {
        System.IO.File.WriteAllBytes(ModelFile, result.ModelState);
        System.IO.File.WriteAllBytes(TorchScriptFile, result.TorchScript);
        var artifacts = new JsonObject
        {
            ["model"] = ModelFile,
            ["torchscript"] = TorchScriptFile,
            ["checkpoints"] = CheckpointDirectory,
            ["metrics"] = MetricsFile,
        };
        if (result.History.Count > 0)
        {
            System.IO.File.WriteAllText(LearningCurvesFile, LearningCurves(result.History));
            artifacts["learning_curves"] = LearningCurvesFile;
        }

        var final = result.Test ?? result.Validation;
        if (final?.Classification is { } classification)
        {
            var which = result.Test is null ? "validation" : "test";
            System.IO.File.WriteAllText(ConfusionMatrixFile, SvgCharts.ConfusionMatrix($"{spec.Name}: confusion matrix ({which} set)", classification.ConfusionMatrix, classification.ClassNames));
            artifacts["confusion_matrix"] = ConfusionMatrixFile;
            if (classification.Binary is { } binary)
            {
                System.IO.File.WriteAllText(RocCurveFile, SvgCharts.LineChart($"ROC curve ({which} set), AUC {binary.RocAuc:F3}", "false positive rate", "true positive rate", [new ChartSeries("ROC", binary.Roc)]));
                artifacts["roc_curve"] = RocCurveFile;
            }
        }

        var report = RunReport.Build(spec, result, artifacts);
        System.IO.File.WriteAllText(ReportFile, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return report;
    }

    private static string LearningCurves(IReadOnlyList<EpochSummary> history)
    {
        ChartSeries Series(string name, string metric) =>
            new(name, history.Where(h => h.Metrics.ContainsKey(metric)).Select(h => new CurvePoint(h.Epoch, h.Metrics[metric])).ToList());
        var loss = SvgCharts.LineChart("Loss per epoch", "epoch", "loss", [Series("train", MetricNames.TrainLoss), Series("validation", MetricNames.ValLoss)]);
        if (!history[0].Metrics.ContainsKey(MetricNames.TrainAccuracy)) return loss;
        var accuracy = SvgCharts.LineChart("Accuracy per epoch", "epoch", "accuracy", [Series("train", MetricNames.TrainAccuracy), Series("validation", MetricNames.ValAccuracy)]);
        return SvgCharts.Stack("Learning curves", loss, accuracy);
    }

    private string File(string name) => System.IO.Path.Combine(Path, name);
}
