using System.Globalization;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning.Stopping;

/// <summary>
/// The median stopping rule (Golovin et al., Google Vizier 2017), as Optuna's MedianPruner applies it: once
/// <see cref="StoppingOptions.MinTrials"/> trials completed and past <see cref="StoppingOptions.WarmupEpochs"/>, a trial whose
/// best value so far is worse than the median of the completed trials' values at the same epoch is stopped.
/// </summary>
internal sealed class MedianRule(StoppingOptions options, Objective objective) : IStoppingRule
{
    public string? Judge(TrialState trial, int epoch, IReadOnlyList<TrialState> trials, bool mayStop)
    {
        if (!mayStop || epoch <= options.WarmupEpochs) return null;
        var completed = trials.Where(t => t.Status == TrialStatus.Completed && t.FromStudy is null).ToList();
        if (completed.Count < options.MinTrials) return null;
        var atEpoch = completed.Where(t => t.Values.ContainsKey(epoch)).Select(t => t.Values[epoch]).Where(v => !double.IsNaN(v)).Order().ToList();
        if (atEpoch.Count == 0) return null;
        var soFar = trial.Values.Where(kv => kv.Key <= epoch).Select(kv => kv.Value).ToList();
        if (soFar.Count == 0) return null;
        var best = soFar.Aggregate(double.NaN, (b, v) => objective.Best(v, b));
        if (double.IsNaN(best)) return "its objective is not a number";
        var median = Median(atEpoch);
        return objective.Better(median, best)
            ? string.Create(CultureInfo.InvariantCulture, $"median rule: best {objective.Metric} {best:G4} by epoch {epoch} is worse than the median {median:G4} of {atEpoch.Count} completed trials at that epoch")
            : null;
    }

    // Linear interpolation between the middle values (numpy's percentile 50).
    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : 0.5 * (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]);
}
