using Microsoft.Extensions.Logging;
using TrainingWorkers.Coordinator.Jobs;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator;

/// <summary>
/// Takes one step of one study, in the one safe order: the driver observes and decides (changing the state); the state
/// is saved under the lease (write-ahead); the decisions are carried out (submit, cancel), each safe to repeat; the state
/// is saved again. A coordinator killed anywhere in between leaves decisions that the next one finds and carries out, and
/// a coordinator whose lease was taken over can save nothing, so it carries out nothing new. A cancelled study, or one
/// that failed, cancels its open jobs the same way.
/// </summary>
internal sealed class StudyRunner(IStudyStore studies, StudyJobs jobs, IStudyFiles files, IEnumerable<IStudyDriver> drivers, TimeProvider time, ILogger<StudyRunner> logger)
{
    private readonly Dictionary<string, IStudyDriver> _drivers = drivers.ToDictionary(d => d.Kind, StringComparer.Ordinal);

    /// <summary>Returns true when the study has ended (or is gone), so its lease can be let go.</summary>
    public async Task<bool> StepAsync(StudyLease lease, CancellationToken cancellationToken)
    {
        var study = await studies.GetAsync(lease.StudyId, cancellationToken).ConfigureAwait(false);
        if (study is null || study.Status.IsTerminal()) return true;
        using var activity = Telemetry.Source.StartActivity("study.step");
        activity?.SetTag("tw.study_id", study.StudyId);
        activity?.SetTag("tw.study_kind", study.Kind);
        Telemetry.Steps.Add(1, new KeyValuePair<string, object?>("kind", study.Kind));
        var state = StudyJson.Read<StudyState>(study.StateJson);
        state.Steps++;
        if (!_drivers.TryGetValue(study.Kind, out var driver) || Parse(study) is not { } request)
        {
            var why = _drivers.ContainsKey(study.Kind) ? "its request is no longer valid" : $"kind '{study.Kind}' is not one this coordinator drives";
            await FinishAsync(lease, new StudyEnd(StudyStatus.Failed, null, JobFailure.Of(FailureKind.InvalidInput, $"study {study.StudyId}: {why}").ToString()), cancellationToken).ConfigureAwait(false);
            return true;
        }

        var context = new StudyContext(study, request, state, lease, jobs, files, studies, time, logger);
        var end = study.CancelRequested ? new StudyEnd(StudyStatus.Cancelled, null, "cancelled by request") : await DecideAsync(driver, context, cancellationToken).ConfigureAwait(false);
        if (end is { Status: not StudyStatus.Succeeded })
        {
            var open = context.AllJobs.Where(j => !j.HasEnded && !j.CancelRequested).ToList();
            if (open.Count > 0) Log.Cancelling(logger, study.StudyId, open.Count);
            foreach (var job in open) job.CancelRequested = true;
        }

        await context.SaveAsync(cancellationToken).ConfigureAwait(false);
        await ActAsync(driver, context, cancellationToken).ConfigureAwait(false);
        await context.SaveAsync(cancellationToken).ConfigureAwait(false);
        if (end is null) return false;
        await FinishAsync(lease, end, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task<StudyEnd?> DecideAsync(IStudyDriver driver, StudyContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await driver.StepAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (StudyFailure e)
        {
            return StudyEnd.Failed(e.Kind, e.Message);
        }
    }

    // Carries out what the saved state asks for: cancels first (they free workers), then submissions.
    private async Task ActAsync(IStudyDriver driver, StudyContext context, CancellationToken cancellationToken)
    {
        foreach (var job in context.AllJobs.Where(j => j.CancelRequested && !j.CancelSent).ToList())
        {
            var why = context.Study.CancelRequested ? "the study was cancelled" : job is TrialState { StopReason: { } reason } ? reason : "the study ended";
            await jobs.CancelAsync(context.StudyId, job, () => driver.SpecFor(context, job), why, cancellationToken).ConfigureAwait(false);
        }

        foreach (var job in context.AllJobs.Where(j => !j.Submitted && !j.CancelRequested && !j.HasEnded).ToList())
        {
            try
            {
                await jobs.EnsureSubmittedAsync(context.StudyId, job, driver.SpecFor(context, job), cancellationToken).ConfigureAwait(false);
            }
            catch (JobInputException e)
            {
                // The spec the study made for this job is not valid: the job fails as a worker would have failed it.
                (job.JobStatus, job.Error) = (Core.Jobs.JobStatus.Failed, JobFailure.From(e).ToString());
            }
        }
    }

    private async Task FinishAsync(StudyLease lease, StudyEnd end, CancellationToken cancellationToken)
    {
        await studies.FinishAsync(lease, end.Status, end.Result is null ? null : StudyJson.Write(end.Result), end.Error, cancellationToken).ConfigureAwait(false);
        Telemetry.StudiesFinished.Add(1, new KeyValuePair<string, object?>("outcome", end.Status.ToString().ToLowerInvariant()));
        Log.Finished(logger, lease.StudyId, end.Status.ToString(), end.Error is null ? (end.Result?.Best is { } best ? $": best {best}" : "") : $": {end.Error}");
    }

    private StudyRequest? Parse(StudyRecord study)
    {
        try
        {
            return StudyRequestParser.Parse(study.RequestJson, study.Kind);
        }
        catch (InvalidRequestException e)
        {
            Log.StepFailed(logger, study.StudyId, e.Message);
            return null;
        }
    }
}
