using System.Text.Json.Nodes;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Pipelines;

/// <summary>
/// Fine-tune pipelines: resolves the base model, runs each approach's stages in order (stage N+1 from stage N's best
/// checkpoint), the approaches of a comparison side by side, and when all have ended ranks them on validation and writes the report.
/// </summary>
internal sealed class PipelineDriver(IJobStore jobs) : IStudyDriver
{
    public string Kind => StudyKinds.FineTune;

    public async Task<StudyEnd?> StepAsync(StudyContext context, CancellationToken cancellationToken)
    {
        var request = (FineTuneRequest)context.Request;
        var state = context.State;
        state.BaseModelUri ??= await BaseModelResolver.ResolveAsync(context, request.BaseModel, "base_model", jobs, cancellationToken).ConfigureAwait(false);
        if (state.Branches.Count == 0)
        {
            state.Branches.AddRange(FineTunePlan.Approaches(request).Select(a => new BranchState { Approach = ApproachNames.Of(a) }));
        }

        foreach (var branch in state.Branches) await BranchRunner.AdvanceAsync(context, request, branch, int.MaxValue, cancellationToken).ConfigureAwait(false);
        return state.Branches.Any(b => b.Status == BranchStatus.Running) ? null : await PipelineReport.FinishAsync(context, request, cancellationToken).ConfigureAwait(false);
    }

    public JsonObject SpecFor(StudyContext context, StudyJob job) => StageSpecOf((FineTuneRequest)context.Request, context.State.Branches, job);

    /// <summary>The spec of a stage of one of <paramref name="branches"/>, as <see cref="FineTunePlan"/> builds it from the stage's starting weights.</summary>
    public static JsonObject StageSpecOf(FineTuneRequest request, IEnumerable<BranchState> branches, StudyJob job)
    {
        foreach (var branch in branches)
        {
            var index = branch.Stages.IndexOf((job as StageState)!);
            if (index < 0) continue;
            var approach = BranchRunner.Approach(branch);
            var stage = branch.Stages[index];
            return FineTunePlan.StageSpec(request, approach, index, stage.From, FineTunePlan.JobName(request.Name, approach, stage.Name));
        }

        throw new InvalidOperationException($"job {job.JobId} is not a stage of this pipeline");
    }
}
