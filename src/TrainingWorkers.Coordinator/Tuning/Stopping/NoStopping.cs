using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning.Stopping;

/// <summary>No early stopping.</summary>
internal sealed class NoStopping : IStoppingRule
{
    public string? Judge(TrialState trial, int epoch, IReadOnlyList<TrialState> trials, bool mayStop) => null;
}
