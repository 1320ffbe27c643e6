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
        var lossSum = Run(model, data, 0, data.Count, outputs);
        return Report(model, data, outputs, lossSum, classNames);
    }

    /// <summary>Evaluates rows [from, to) into their place in <paramref name="outputs"/>; returns their summed loss.</summary>
    internal static double Run(Model model, Dataset data, int from, int to, float[] outputs)
    {
        if (!data.InMemory) return RunDecoded(model, data, from, to, outputs);
        var lossSum = 0.0;
        for (var start = from; start < to; start += BatchSize)
        {
            var n = Math.Min(BatchSize, to - start);
            var x = data.Features.AsSpan(start * data.FeatureSize, n * data.FeatureSize);
            var o = outputs.AsSpan(start * model.Definition.Outputs, n * model.Definition.Outputs);
            lossSum += data.Labels is { } labels
                ? model.Evaluate(x, labels.AsSpan(start, n), n, o)
                : model.Evaluate(x, data.Targets.AsSpan(start * data.Outputs, n * data.Outputs), n, o);
        }

        return lossSum;
    }

    // Reader-backed data (images): batches of at most 64 MiB, each decoded on the reader's threads.
    private static double RunDecoded(Model model, Dataset data, int from, int to, float[] outputs)
    {
        var batch = (int)Math.Clamp((64L << 20) / (data.FeatureSize * sizeof(float)), 1, BatchSize);
        var x = GC.AllocateUninitializedArray<float>(batch * data.FeatureSize, pinned: true);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, data.Reader!.Parallelism) };
        var lossSum = 0.0;
        for (var start = from; start < to; start += batch)
        {
            var n = Math.Min(batch, to - start);
            Parallel.For(0, n, parallel, i => data.CopyRow(start + i, x.AsSpan(i * data.FeatureSize, data.FeatureSize)));
            var o = outputs.AsSpan(start * model.Definition.Outputs, n * model.Definition.Outputs);
            lossSum += model.Evaluate(x.AsSpan(0, n * data.FeatureSize), data.Labels.AsSpan(start, n), n, o);
        }

        return lossSum;
    }

    /// <summary>The metrics of every row's outputs and the summed loss over all rows.</summary>
    internal static EvaluationReport Report(Model model, Dataset data, float[] outputs, double lossSum, IReadOnlyList<string> classNames)
    {
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
