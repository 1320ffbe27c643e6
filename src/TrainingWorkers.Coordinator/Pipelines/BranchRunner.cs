using Microsoft.Extensions.Logging;
using TrainingWorkers.Coordinator.Jobs;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Pipelines;

/// <summary>
/// Advances one approach of a pipeline by a step: observes its current stage; when the stage succeeded, picks its best
/// checkpoint and decides the next stage from it; when it failed for bad input, fails the whole pipeline at once (other
/// failures were already retried by the job machinery, and end only this branch). Also runs a sweep's stages before the swept one.
/// </summary>
internal static class BranchRunner
{
    /// <param name="stages">How many of the approach's stages the branch runs (a sweep runs those before its swept stage).</param>
    public static async Task AdvanceAsync(StudyContext context, FineTuneRequest pipeline, BranchState branch, int stages, CancellationToken cancellationToken)
    {
        if (branch.Status != BranchStatus.Running) return;
        var approach = Approach(branch);
        var planned = FineTunePlan.Stages(pipeline, approach).Take(stages).ToList();
        var current = branch.Stages.LastOrDefault();
        if (current is null)
        {
            Add(context, branch, planned, from: context.State.BaseModelUri);
            return;
        }

        if (!current.Submitted && !current.HasEnded) return;
        if (!current.HasEnded)
        {
            await context.Jobs.ObserveAsync(current, pipeline.Monitor, cancellationToken).ConfigureAwait(false);
            if (!current.HasEnded) return;
            if (current.JobStatus == JobStatus.Succeeded) await PickBestAsync(context, pipeline, branch, current, cancellationToken).ConfigureAwait(false);
        }

        switch (current.JobStatus)
        {
            case JobStatus.Failed when FailureKinds.Parse(current.Error?.Split(':', 2)[0]) == FailureKind.InvalidInput:
                throw new StudyFailure(FailureKind.InvalidInput,
                    $"the {branch.Approach} approach's {current.Name} stage (job {current.JobId}) failed for bad input: {current.Error!.Split(':', 2)[^1].Trim()}");
            case JobStatus.Failed:
                (branch.Status, branch.Error) = (BranchStatus.Failed, $"{current.Name} stage (job {current.JobId}): {current.Error}");
                return;
            case JobStatus.Cancelled:
                (branch.Status, branch.Error) = current.CancelRequested ? (BranchStatus.Cancelled, null) : (BranchStatus.Failed, $"{current.Name} stage: job {current.JobId} was cancelled outside the study");
                return;
            case JobStatus.Succeeded when branch.Stages.Count < planned.Count:
                Add(context, branch, planned, from: current.BestCheckpointUri ?? current.ModelUri);
                return;
            case JobStatus.Succeeded:
                branch.Status = BranchStatus.Succeeded;
                branch.Score = current.FinalMetrics?.GetValueOrDefault(pipeline.Monitor, double.NaN) is { } final && !double.IsNaN(final) ? final : current.BestValue;
                return;
        }
    }

    public static FineTuneApproach Approach(BranchState branch) => Enum.GetValues<FineTuneApproach>().First(a => a.ToString().Equals(branch.Approach, StringComparison.OrdinalIgnoreCase));

    private static void Add(StudyContext context, BranchState branch, IReadOnlyList<PlannedStage> planned, string? from)
    {
        var next = planned[branch.Stages.Count];
        branch.Stages.Add(new StageState
        {
            Name = next.Name, Epochs = next.Epochs, JobId = StudyJobIds.For(context.StudyId, $"{branch.Approach}-{next.Name}"),
            From = next.Name == FineTunePlan.Scratch ? null : from,
        });
    }

    private static async Task PickBestAsync(StudyContext context, FineTuneRequest pipeline, BranchState branch, StageState stage, CancellationToken cancellationToken)
    {
        var best = await BestCheckpoint.ChooseAsync(context.Files.CheckpointsOf(stage.JobId), pipeline.Monitor, pipeline.HigherIsBetter, cancellationToken).ConfigureAwait(false);
        if (best is not null)
        {
            stage.BestCheckpoint = best.Id;
            stage.BestCheckpointUri = context.Files.CheckpointUri(stage.JobId, best.Id);
            stage.BestEpoch = best.Epoch;
            stage.BestValue = best.Metrics[pipeline.Monitor];
        }
        else if (stage.Values.Count > 0)
        {
            // No checkpoint holds the metric (an evaluate-only stage has none): the epochs tell the best value.
            var top = pipeline.HigherIsBetter ? stage.Values.MaxBy(kv => kv.Value) : stage.Values.MinBy(kv => kv.Value);
            (stage.BestEpoch, stage.BestValue) = (top.Key, top.Value);
        }

        Log.StageEnded(context.Logger, context.StudyId, stage.Name, branch.Approach, stage.JobStatus.ToString()!, stage.BestCheckpoint ?? "none", stage.BestEpoch ?? 0,
            pipeline.Monitor, stage.BestValue ?? double.NaN);
    }
}
