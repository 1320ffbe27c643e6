using System.Text.Json.Serialization;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Core.Studies.State;

/// <summary>
/// A job a study runs (a pipeline's stage, a sweep's trial), as the coordinator keeps it in the study's state. The
/// coordinator writes its intent here before it acts (submit, cancel) and marks it done after, so a coordinator that
/// takes the study over knows what may still have to be done and does it once: the job id is deterministic and
/// the job store creates a job at most once.
/// </summary>
public abstract class StudyJob
{
    /// <summary>The job's id: <c>{study}-{step}</c>, with <c>-r{n}</c> after a submission whose message could not be queued.</summary>
    [JsonPropertyName("job_id")] public string JobId { get; set; } = "";

    /// <summary>How many submissions failed to queue (each cancelled its record; the next uses a new id).</summary>
    [JsonPropertyName("resubmissions")] public int Resubmissions { get; set; }

    /// <summary>The job is recorded and its message queued.</summary>
    [JsonPropertyName("submitted")] public bool Submitted { get; set; }

    /// <summary>The job's status when the coordinator last looked; null before it exists.</summary>
    [JsonPropertyName("job_status")] public JobStatus? JobStatus { get; set; }

    /// <summary>The coordinator decided to cancel the job (the study was cancelled, or a stopping rule stopped the trial).</summary>
    [JsonPropertyName("cancel_requested")] public bool CancelRequested { get; set; }

    /// <summary>The cancel was handed to the job store.</summary>
    [JsonPropertyName("cancel_sent")] public bool CancelSent { get; set; }

    /// <summary>The monitored (or objective) metric per epoch, from the job's per-epoch items.</summary>
    [JsonPropertyName("values")] public SortedDictionary<int, double> Values { get; set; } = [];

    /// <summary>The job's final metrics (validation and test of the final model, epochs_run) once it ended.</summary>
    [JsonPropertyName("final_metrics")] public Dictionary<string, double>? FinalMetrics { get; set; }

    [JsonPropertyName("model_uri")] public string? ModelUri { get; set; }

    /// <summary>Why the job failed, as its record says (<c>invalid_input: ...</c>).</summary>
    [JsonPropertyName("error")] public string? Error { get; set; }

    /// <summary>The job exists and has not ended: what a cancelled study must cancel.</summary>
    [JsonIgnore] public bool IsOpen => Submitted && JobStatus is not (Jobs.JobStatus.Succeeded or Jobs.JobStatus.Failed or Jobs.JobStatus.Cancelled);

    /// <summary>The job ended (or was never needed).</summary>
    [JsonIgnore] public bool HasEnded => JobStatus is Jobs.JobStatus.Succeeded or Jobs.JobStatus.Failed or Jobs.JobStatus.Cancelled;

    /// <summary>The job's id for a step: <c>{studyId}-{key}</c>, and <c>-r{n}</c> for the n-th resubmission.</summary>
    public static string JobIdFor(string studyId, string key, int resubmissions) =>
        resubmissions == 0 ? $"{studyId}-{key}" : $"{studyId}-{key}-r{resubmissions}";
}
