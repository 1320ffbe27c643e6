using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Training;

/// <summary>What <see cref="EarlyStopping.Update"/> concluded about an epoch.</summary>
public readonly record struct EarlyStoppingDecision(bool Improved, bool ShouldStop);

/// <summary>
/// Tracks the monitored metric: an epoch improves on the best when it is better by more than
/// min_delta; after <c>patience</c> epochs without improvement, training should stop.
/// </summary>
public sealed class EarlyStopping
{
    private readonly EarlyStoppingSpec _spec;

    public EarlyStopping(EarlyStoppingSpec spec)
    {
        _spec = spec;
        HigherIsBetter = spec.Mode switch
        {
            MonitorMode.Max => true,
            MonitorMode.Min => false,
            _ => MetricNames.HigherIsBetter(spec.Monitor),
        };
        Best = HigherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
    }

    public string Monitor => _spec.Monitor;
    public bool HigherIsBetter { get; }
    public double Best { get; private set; }
    /// <summary>The 1-based epoch of the best value; 0 before any.</summary>
    public int BestEpoch { get; private set; }
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Records an epoch's value of the monitored metric.</summary>
    public EarlyStoppingDecision Update(int epoch, double value)
    {
        var improved = !double.IsNaN(value) &&
                       (HigherIsBetter ? value > Best + _spec.MinDelta : value < Best - _spec.MinDelta);
        if (improved)
        {
            Best = value;
            BestEpoch = epoch;
            EpochsWithoutImprovement = 0;
        }
        else
        {
            EpochsWithoutImprovement++;
        }

        return new EarlyStoppingDecision(improved, EpochsWithoutImprovement >= _spec.Patience);
    }

    /// <summary>Puts back a state saved in a checkpoint.</summary>
    public void Restore(double best, int bestEpoch, int epochsWithoutImprovement)
    {
        Best = best;
        BestEpoch = bestEpoch;
        EpochsWithoutImprovement = epochsWithoutImprovement;
    }
}
