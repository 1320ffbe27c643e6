using System.Text.Json.Nodes;
using TrainingWorkers.Coordinator.Tuning.Samplers;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning;

/// <summary>
/// Starts a sweep from an earlier one (Optuna's enqueue_trial and add_trials): the earlier sweep's completed trials that
/// fit this search space become observations the model-based search learns from, and its best is this sweep's first trial.
/// </summary>
internal static class WarmStarts
{
    public static async Task LoadAsync(StudyContext context, TuneRequest request, Core.Studies.Requests.WarmStart warm, CancellationToken cancellationToken)
    {
        var earlier = await context.Studies.GetAsync(warm.Study, cancellationToken).ConfigureAwait(false);
        if (earlier is null) throw new StudyFailure(FailureKind.InvalidInput, $"warm_start.study: study '{warm.Study}' does not exist");
        if (earlier.Kind != StudyKinds.Tune) throw new StudyFailure(FailureKind.InvalidInput, $"warm_start.study: study '{warm.Study}' is a {earlier.Kind} study, not a tune study");
        var objective = ((TuneRequest)StudyRequestParser.Parse(earlier.RequestJson, StudyKinds.Tune)).Objective;
        if (objective.Metric != request.Objective.Metric || objective.HigherIsBetter != request.Objective.HigherIsBetter)
        {
            throw new StudyFailure(FailureKind.InvalidInput, $"warm_start.study: study '{warm.Study}' optimizes {objective.Metric}, this sweep {request.Objective.Metric}: their values do not compare");
        }

        var trials = StudyJson.Read<StudyState>(earlier.StateJson).Trials;
        context.State.PriorTrials = trials
            .Where(t => t.Status == TrialStatus.Completed && t.Objective is not null && ParameterScale.Fits(request.SearchSpace, t.Params))
            .Select(t => new TrialState
            {
                Number = t.Number, Params = Restrict(t.Params, request.SearchSpace), Status = TrialStatus.Completed, Objective = t.Objective,
                Values = t.Values, JobId = t.JobId, JobStatus = t.JobStatus, ModelUri = t.ModelUri, FromStudy = warm.Study,
            })
            .ToList();
        context.State.WarmStartLoaded = true;
    }

    /// <summary>The earlier sweep's best parameters, or null when it had no completed trial that fits.</summary>
    public static JsonObject? Best(StudyState state, Objective objective) =>
        state.PriorTrials.Aggregate((TrialState?)null, (best, t) => best is null || objective.Better(t.Objective!.Value, best.Objective!.Value) ? t : best)?.Params.DeepClone().AsObject();

    private static JsonObject Restrict(JsonObject values, IReadOnlyList<SearchParameter> space) =>
        new(space.Select(p => KeyValuePair.Create(p.Name, values[p.Name]?.DeepClone())));
}
