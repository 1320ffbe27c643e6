using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning.Stopping;

/// <summary>
/// Decides, epoch by epoch, whether a running trial should stop. The coordinator applies it to every epoch in order as
/// the worker records them (each epoch's metrics are their own item in the job store), so a coordinator that looks only
/// every few seconds decides as if it had looked after each epoch; only the set of finished trials it compares with may be newer.
/// </summary>
internal interface IStoppingRule
{
    /// <summary>Why <paramref name="trial"/> should stop after <paramref name="epoch"/>, or null to let it go on.</summary>
    /// <param name="trials">Every trial of the sweep, <paramref name="trial"/> included.</param>
    /// <param name="mayStop">False for a trial that already ended: only what the rule records of it (its rungs) is kept.</param>
    string? Judge(TrialState trial, int epoch, IReadOnlyList<TrialState> trials, bool mayStop);
}
