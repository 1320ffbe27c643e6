namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>How trials' parameters are chosen.</summary>
public enum SearchMethod
{
    /// <summary>Every combination of the choice and integer parameters, in a seeded order.</summary>
    Grid,
    /// <summary>Independent draws, seeded per trial.</summary>
    Random,
    /// <summary>Tree-structured Parzen estimator (Bergstra et al. 2011, as Optuna's default sampler): random first, then model-based.</summary>
    Tpe,
}

/// <summary>The search method and its settings.</summary>
public sealed record SearchOptions
{
    public SearchMethod Method { get; init; } = SearchMethod.Random;
    public ulong Seed { get; init; } = 1;
    /// <summary>TPE: trials drawn at random before the model is used (Optuna's n_startup_trials).</summary>
    public int StartupTrials { get; init; } = 10;
    /// <summary>TPE: candidates drawn from the good trials' density per decision (Optuna's n_ei_candidates).</summary>
    public int Candidates { get; init; } = 24;
}
