using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Engine.Training;

/// <summary>A model's results on one dataset: the loss and the task's report.</summary>
public sealed record EvaluationReport(double Loss, ClassificationReport? Classification, RegressionReport? Regression)
{
    /// <summary>The scalar metrics, each name prefixed (<c>val_</c>, <c>test_</c>).</summary>
    public IReadOnlyDictionary<string, double> Metrics(string prefix)
    {
        var m = new Dictionary<string, double>(StringComparer.Ordinal) { [prefix + "loss"] = Loss };
        if (Classification is { } c)
        {
            m[prefix + "accuracy"] = c.Accuracy;
            m[prefix + "macro_precision"] = c.MacroPrecision;
            m[prefix + "macro_recall"] = c.MacroRecall;
            m[prefix + "macro_f1"] = c.MacroF1;
            if (c.Binary is { } b)
            {
                m[prefix + "roc_auc"] = b.RocAuc;
                m[prefix + "pr_auc"] = b.PrAuc;
            }
        }

        if (Regression is { } r)
        {
            m[prefix + "rmse"] = r.Rmse;
            m[prefix + "mae"] = r.Mae;
            m[prefix + "r2"] = r.R2;
        }

        return m;
    }
}
