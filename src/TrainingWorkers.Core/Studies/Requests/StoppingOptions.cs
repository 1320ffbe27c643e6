namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>The stopping rule and its settings (named as Optuna's MedianPruner and SuccessiveHalvingPruner name them).</summary>
public sealed record StoppingOptions
{
    public StoppingRule Rule { get; init; } = StoppingRule.None;
    /// <summary>Median: completed trials needed before any trial is stopped (n_startup_trials).</summary>
    public int MinTrials { get; init; } = 5;
    /// <summary>Median: epochs a trial runs before it can be stopped (n_warmup_steps).</summary>
    public int WarmupEpochs { get; init; }
    /// <summary>ASHA: the first rung's epochs (min_resource).</summary>
    public int MinEpochs { get; init; } = 1;
    /// <summary>ASHA: the rungs are min_epochs × reduction_factor^k epochs, and 1/reduction_factor go on.</summary>
    public int ReductionFactor { get; init; } = 3;
    /// <summary>ASHA: skips the first rungs (min_early_stopping_rate).</summary>
    public int MinEarlyStoppingRate { get; init; }
}
