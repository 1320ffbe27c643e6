using System.Text.Json.Nodes;
using TrainingWorkers.Coordinator.Jobs;
using TrainingWorkers.Coordinator.Pipelines;
using TrainingWorkers.Coordinator.Tuning.Samplers;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning;

/// <summary>
/// Hyperparameter sweeps: keeps <see cref="TuneRequest.Parallel"/> trials running until the budget is spent, each trial a job
/// whose spec is the base spec with the trial's parameters set; judges every new epoch of a running trial with the stopping
/// rule and stops the trials it condemns through the job's cancel path; fails when more trials failed than allowed; at the
/// end picks the best completed trial and writes the report. A sweep over a pipeline's stage first runs the stages before it once.
/// </summary>
internal sealed class SweepDriver(IJobStore jobs) : IStudyDriver
{
    public string Kind => StudyKinds.Tune;

    public async Task<StudyEnd?> StepAsync(StudyContext context, CancellationToken cancellationToken)
    {
        var request = (TuneRequest)context.Request;
        var state = context.State;
        if (request.Stage is { } target && !await RunStagesBeforeAsync(context, target, cancellationToken).ConfigureAwait(false)) return null;
        if (request.WarmStart is { } warm && !state.WarmStartLoaded) await WarmStarts.LoadAsync(context, request, warm, cancellationToken).ConfigureAwait(false);

        var rule = SweepPolicies.Stopping(request);
        foreach (var trial in state.Trials.Where(t => t.Submitted && !t.HasEnded))
        {
            await context.Jobs.ObserveAsync(trial, request.Objective.Metric, cancellationToken).ConfigureAwait(false);
            if (TrialProgress.Update(trial, state.Trials, request.Objective, rule) is { } stop)
            {
                (trial.CancelRequested, trial.StopReason) = (true, stop);
                Telemetry.TrialsStopped.Add(1);
                Log.TrialStopped(context.Logger, context.StudyId, trial.Number, trial.StoppedAtEpoch ?? 0, stop);
            }

            if (trial.HasEnded) Log.TrialEnded(context.Logger, context.StudyId, trial.Number, trial.Status.ToString(), trial.Objective ?? double.NaN);
        }

        var failed = state.Trials.Where(t => t.Status == TrialStatus.Failed).ToList();
        if (failed.Count > request.MaxFailedTrials)
        {
            var last = failed[^1].Error ?? "unknown";
            var kind = FailureKinds.Parse(last.Split(':', 2)[0]) == FailureKind.InvalidInput ? FailureKind.InvalidInput : FailureKind.Crashed;
            return StudyEnd.Failed(kind, $"{failed.Count} of {state.Trials.Count} trials failed, more than max_failed_trials ({request.MaxFailedTrials}); the last: {last}");
        }

        AddTrials(context, request);
        return state.Trials.Count == request.Trials && state.Trials.All(t => t.HasEnded)
            ? await SweepReport.FinishAsync(context, request, this, cancellationToken).ConfigureAwait(false)
            : null;
    }

    public JsonObject SpecFor(StudyContext context, StudyJob job)
    {
        var request = (TuneRequest)context.Request;
        if (job is StageState && request.Stage is { } target) return PipelineDriver.StageSpecOf(target.Pipeline, context.State.Branches, job);
        var trial = (TrialState)job;
        var name = $"{request.Name}-t{trial.Number:D3}";
        var spec = request.Stage is { } stage
            ? FineTunePlan.StageSpec(stage.Pipeline, stage.Pipeline.Approach, stage.Stage, SweptStageFrom(context.State, stage), name)
            : (JsonObject)request.Spec.DeepClone();
        spec["name"] = name;
        foreach (var p in request.SearchSpace)
        {
            if (!p.Path.TrySet(spec, trial.Params[p.Name]!, out var error)) throw new InvalidOperationException($"{p.Name}: {error}");
        }

        return spec;
    }

    // Keeps `parallel` trials going: a trial being stopped frees its place at once (its worker stops it within a heartbeat).
    private static void AddTrials(StudyContext context, TuneRequest request)
    {
        var state = context.State;
        var sampler = SweepPolicies.Sampler(request);
        var active = state.Trials.Count(t => !t.HasEnded && !t.CancelRequested);
        while (active < request.Parallel && state.Trials.Count < request.Trials)
        {
            var number = state.Trials.Count;
            var enqueued = number == 0 && request.WarmStart is { EnqueueBest: true } ? WarmStarts.Best(state, request.Objective) : null;
            var values = enqueued ?? sampler.Sample(number, TrialProgress.History(state));
            state.Trials.Add(new TrialState { Number = number, JobId = StudyJobIds.Trial(context.StudyId, number), Params = values });
            active++;
        }
    }

    /// <returns>Whether the stages before the swept one have all succeeded (the trials can start).</returns>
    private async Task<bool> RunStagesBeforeAsync(StudyContext context, StageTarget target, CancellationToken cancellationToken)
    {
        var state = context.State;
        state.BaseModelUri ??= await BaseModelResolver.ResolveAsync(context, target.Pipeline.BaseModel, "finetune.base_model", jobs, cancellationToken).ConfigureAwait(false);
        if (target.Stage == 0) return true;
        if (state.Branches.Count == 0) state.Branches.Add(new BranchState { Approach = ApproachNames.Of(target.Pipeline.Approach) });
        var before = state.Branches[0];
        await BranchRunner.AdvanceAsync(context, target.Pipeline, before, target.Stage, cancellationToken).ConfigureAwait(false);
        return before.Status switch
        {
            BranchStatus.Succeeded => true,
            BranchStatus.Running => false,
            _ => throw new StudyFailure(FailureKind.Crashed, $"the stages before the swept one did not succeed: {before.Error ?? before.Status.ToString()}"),
        };
    }

    private static string? SweptStageFrom(StudyState state, StageTarget target) =>
        target.Stage == 0 ? state.BaseModelUri : state.Branches[0].Stages[^1] is var last ? last.BestCheckpointUri ?? last.ModelUri : null;
}
