using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Training;

/// <summary>Runs a model over a whole dataset in eval mode and computes the task's metrics.</summary>
public static class Evaluator
{
    private const int BatchSize = 1000;

    public static EvaluationReport Evaluate(Model model, Dataset data, IReadOnlyList<string> classNames)
    {
        var outputs = new float[(long)data.Count * model.Definition.Outputs];
        var lossSum = 0.0;
        for (var start = 0; start < data.Count; start += BatchSize)
        {
            var n = Math.Min(BatchSize, data.Count - start);
            var x = data.Features.AsSpan(start * data.FeatureSize, n * data.FeatureSize);
            var o = outputs.AsSpan(start * model.Definition.Outputs, n * model.Definition.Outputs);
            lossSum += data.Labels is { } labels
                ? model.Evaluate(x, labels.AsSpan(start, n), n, o)
                : model.Evaluate(x, data.Targets.AsSpan(start * data.Outputs, n * data.Outputs), n, o);
        }

        if (data.Labels is { } all)
        {
            var ids = Array.ConvertAll(all, l => (int)l);
            var report = ClassificationReport.Compute(ids, outputs, model.Definition.Outputs, classNames);
            return new EvaluationReport(lossSum / data.Count, report, null);
        }

        // The mean over every target value, as the training loss is.
        return new EvaluationReport(lossSum / data.Targets!.Length, null, RegressionReport.Compute(data.Targets, outputs));
    }
}
