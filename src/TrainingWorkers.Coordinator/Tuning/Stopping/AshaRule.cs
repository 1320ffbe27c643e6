using System.Globalization;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning.Stopping;

/// <summary>
/// Asynchronous successive halving (Li et al., MLSys 2020), as Optuna's SuccessiveHalvingPruner applies it. Rung k is at
/// epoch min_epochs × η^(s + k). A trial reaching a rung records its value there and goes on only if that value is among
/// the best ⌊n/η⌋ of the n values recorded at the rung by any trial so far — or, while fewer than η trials got there, only
/// if it is the best of them. Never waits for other trials: promotion is decided with what has been recorded.
/// </summary>
internal sealed class AshaRule(StoppingOptions options, Objective objective) : IStoppingRule
{
    public string? Judge(TrialState trial, int epoch, IReadOnlyList<TrialState> trials, bool mayStop)
    {
        for (var rung = trial.Rungs.Count; ; rung++)
        {
            var rungEpoch = options.MinEpochs * (long)Math.Pow(options.ReductionFactor, options.MinEarlyStoppingRate + rung);
            if (epoch < rungEpoch || !trial.Values.TryGetValue((int)rungEpoch, out var value)) return null;
            if (double.IsNaN(value)) return mayStop ? $"asha: its {objective.Metric} at epoch {rungEpoch} is not a number" : null;
            trial.Rungs[rung] = value;
            var competing = trials.Where(t => t.Rungs.ContainsKey(rung)).Select(t => t.Rungs[rung]).Order().ToList();
            if (!Promotable(value, competing) && mayStop)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"asha: {objective.Metric} {value:G4} at epoch {rungEpoch} (rung {rung}) is not in the best 1/{options.ReductionFactor} of the {competing.Count} trials that reached it");
            }
        }
    }

    private bool Promotable(double value, List<double> sorted)
    {
        var index = (sorted.Count / options.ReductionFactor) - 1;
        // Fewer than η trials at the rung: only the best of them goes on (Optuna cannot pause trials to wait for more).
        if (index < 0) index = 0;
        return objective.HigherIsBetter ? value >= sorted[^(index + 1)] : value <= sorted[index];
    }
}
