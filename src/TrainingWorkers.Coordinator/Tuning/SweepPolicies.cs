using TrainingWorkers.Coordinator.Tuning.Samplers;
using TrainingWorkers.Coordinator.Tuning.Stopping;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Coordinator.Tuning;

/// <summary>The sampler and the stopping rule a tune request asks for.</summary>
internal static class SweepPolicies
{
    public static ISampler Sampler(TuneRequest request) => request.Search.Method switch
    {
        SearchMethod.Grid => new GridSampler(request.SearchSpace, request.Search.Seed),
        SearchMethod.Tpe => new TpeSampler(request.SearchSpace, request.Search.Seed, request.Search.StartupTrials, request.Search.Candidates, request.Objective.HigherIsBetter),
        _ => new RandomSampler(request.SearchSpace, request.Search.Seed),
    };

    public static IStoppingRule Stopping(TuneRequest request) => request.Stopping.Rule switch
    {
        StoppingRule.Median => new MedianRule(request.Stopping, request.Objective),
        StoppingRule.Asha => new AshaRule(request.Stopping, request.Objective),
        _ => new NoStopping(),
    };
}
