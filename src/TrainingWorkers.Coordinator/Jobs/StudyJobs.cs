using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Jobs;

/// <summary>
/// The study's jobs on the fleet, each call safe to repeat: a job is created at most once under its deterministic id
/// (the job store's conditional create), its message is queued again when a coordinator may have died between the
/// record and the queue (a duplicate message is harmless: the worker deletes it), and a cancel of a job that does not
/// exist yet leaves a Cancelled record in its place, so that no coordinator can start it later.
/// </summary>
internal sealed class StudyJobs(IJobStore store, IJobQueue queue, ILogger<StudyJobs> logger)
{
    private readonly JobSubmission _submission = new(store, queue);

    /// <summary>Makes sure <paramref name="job"/> is recorded and queued; when its message could not be queued, moves it to a new id for the next step.</summary>
    public async Task EnsureSubmittedAsync(string studyId, StudyJob job, JsonObject spec, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            try
            {
                await _submission.SubmitAsync(JobSubmission.Prepare(Element(spec), job.JobId, validate: true), cancellationToken).ConfigureAwait(false);
                Log.Submitted(logger, studyId, job.JobId);
                Telemetry.JobsSubmitted.Add(1);
                job.Submitted = true;
                return;
            }
            catch (JobExistsException)
            {
                // Another coordinator (one that lost its lease without knowing) created it a moment ago.
                record = await store.GetAsync(job.JobId, cancellationToken).ConfigureAwait(false);
            }
            catch (JobNotQueuedException e) when (e.CancelFailure is null)
            {
                // Its record was cancelled: the id is spent, the next step submits under a new one.
                Log.NotQueued(logger, studyId, job.JobId, e.Message);
                job.Resubmissions++;
                job.JobId = Resubmitted(job.JobId, job.Resubmissions);
                return;
            }
            catch (JobNotQueuedException e)
            {
                // Recorded and still Queued without a message: the next step queues it again (below).
                Log.NotQueued(logger, studyId, job.JobId, e.Message);
                return;
            }
        }

        if (record is { Status: JobStatus.Queued })
        {
            await queue.SubmitAsync(new JobMessage { JobId = job.JobId, Spec = Element(JsonNode.Parse(record.SpecJson)!.AsObject()) }, cancellationToken).ConfigureAwait(false);
            Log.Requeued(logger, studyId, job.JobId);
        }

        job.Submitted = true;
    }

    /// <summary>Cancels the job (a queued one at once, a running one at its worker's next heartbeat); one never created is recorded as Cancelled.</summary>
    public async Task CancelAsync(string studyId, StudyJob job, Func<JsonObject> spec, string why, CancellationToken cancellationToken)
    {
        var status = await store.RequestCancelAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            await store.CreateAsync(job.JobId, spec().ToJsonString(), cancellationToken).ConfigureAwait(false);
            status = await store.RequestCancelAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        }

        job.CancelSent = true;
        if (status is JobStatus.Cancelled && job.JobStatus is null or JobStatus.Queued) job.JobStatus = status;
        Log.CancelSent(logger, studyId, job.JobId, why);
    }

    /// <summary>Reads the job's record and its per-epoch items: status, error, model, final metrics, and <paramref name="metric"/> per epoch.</summary>
    public async Task ObserveAsync(StudyJob job, string metric, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(job.JobId, cancellationToken).ConfigureAwait(false);
        if (record is null) return;
        if (record.Status != JobStatus.Queued || job.Values.Count > 0)
        {
            foreach (var epoch in await store.GetEpochsAsync(job.JobId, cancellationToken).ConfigureAwait(false))
            {
                if (epoch.Metrics.TryGetValue(metric, out var value)) job.Values[epoch.Epoch] = value;
            }
        }

        (job.JobStatus, job.Error, job.ModelUri) = (record.Status, record.Error, record.ModelUri);
        if (record.FinalMetrics.Count > 0) job.FinalMetrics = new Dictionary<string, double>(record.FinalMetrics);
    }

    private static string Resubmitted(string jobId, int resubmissions)
    {
        var dash = jobId.LastIndexOf("-r", StringComparison.Ordinal);
        var stem = resubmissions > 1 && dash > 0 ? jobId[..dash] : jobId;
        return $"{stem}-r{resubmissions}";
    }

    private static JsonElement Element(JsonObject spec)
    {
        using var document = JsonDocument.Parse(spec.ToJsonString());
        return document.RootElement.Clone();
    }
}
