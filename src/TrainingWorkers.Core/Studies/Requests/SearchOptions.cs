namespace TrainingWorkers.Core.Studies.Requests;

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
