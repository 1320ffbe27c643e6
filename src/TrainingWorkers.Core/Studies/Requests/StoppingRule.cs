namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>Which rule stops bad trials early (through the job's cancel path).</summary>
public enum StoppingRule
{
    None,
    /// <summary>Stop a trial whose best value so far is worse than the median of the completed trials at the same epoch.</summary>
    Median,
    /// <summary>Asynchronous successive halving: at each rung only the best 1/reduction_factor of the trials that reached it go on.</summary>
    Asha,
}
