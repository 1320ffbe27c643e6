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
