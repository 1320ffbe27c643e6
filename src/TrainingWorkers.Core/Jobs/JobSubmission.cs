using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Jobs;

/// <summary>
/// Submits training jobs: checks the job (<see cref="Prepare"/>, before anything is recorded), records it as
/// <see cref="JobStatus.Queued"/>, then puts its message on the queue. When the message cannot be queued the record is cancelled, so no job waits for a message no worker will
/// receive. <c>tw submit</c> uses it, and the coordinator submits its trials through it.
/// </summary>
public sealed partial class JobSubmission
{
    // The compensating cancel runs on its own token: the caller's may be part of what failed.
    private static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(15);

    private readonly IJobStore _store;
    private readonly IJobQueue _queue;

    public JobSubmission(IJobStore store, IJobQueue queue)
    {
        _store = store;
        _queue = queue;
    }

    /// <summary>
    /// Checks a job before anything is recorded and returns its message: <paramref name="spec"/> as
    /// <paramref name="jobId"/>, or under a new id (<see cref="NewJobId"/>) when that is null. Throws an
    /// <see cref="InvalidSpecException"/> listing every error of the spec (with <paramref name="validate"/>), or a
    /// <see cref="JobInputException"/> for a bad id (field <c>job_id</c>) or a message over <see cref="JobMessage.MaxBytes"/> (field <c>$</c>).
    /// </summary>
    public static JobMessage Prepare(JsonElement spec, string? jobId, bool validate, TimeProvider? time = null)
    {
        if (spec.ValueKind != JsonValueKind.Object) throw new JobInputException("$", "a job spec must be a JSON object");
        if (validate) JobSpecParser.Parse(spec.GetRawText());
        jobId ??= NewJobId(spec, time ?? TimeProvider.System);
        if (!JobMessage.IsValidJobId(jobId))
        {
            throw new JobInputException("job_id", $"must be {JobMessage.JobIdRule}, got '{FailureText.Bound(jobId, FailureText.MaxName)}'");
        }

        var message = new JobMessage { JobId = jobId, Spec = spec };
        Encode(message);
        return message;
    }

    /// <summary>
    /// Records <paramref name="job"/> as Queued and queues its message. A <see cref="JobExistsException"/> says the id is
    /// taken (nothing was queued); a <see cref="JobNotQueuedException"/> says the job was recorded but its message could
    /// not be sent, and whether its record was cancelled.
    /// </summary>
    public async Task<SubmittedJob> SubmitAsync(JobMessage job, CancellationToken cancellationToken)
    {
        Encode(job);
        var specJson = job.Spec.GetRawText();
        if (!await _store.CreateAsync(job.JobId, specJson, cancellationToken).ConfigureAwait(false)) throw new JobExistsException(job.JobId);
        try
        {
            return new SubmittedJob(job.JobId, await _queue.SubmitAsync(job, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new JobNotQueuedException(job.JobId, await CancelRecordAsync(job.JobId).ConfigureAwait(false), e);
        }
    }

    /// <summary><c>{name}-{UTC yyyyMMdd-HHmmss}-{6 random hex}</c>, from the spec's <c>name</c>; a name that is no valid id prefix becomes one.</summary>
    public static string NewJobId(JsonElement spec, TimeProvider time)
    {
        var name = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? NameText(n) : "";
        name = InvalidIdCharacters().Replace(name, "-").Trim('-', '.', '_');
        if (name.Length == 0) name = "job";
        if (name.Length > 64) name = name[..64].TrimEnd('-', '.', '_');
        var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        return $"{name}-{stamp}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
    }

    // A name that is not valid text (a lone surrogate escape, queued with --no-validate) gives the default id.
    private static string NameText(JsonElement name)
    {
        try
        {
            return name.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return "";
        }
    }

    private static void Encode(JobMessage job)
    {
        try
        {
            JobMessageCodec.Encode(job, JobMessage.MaxBytes);
        }
        catch (InvalidJobMessageException e)
        {
            throw new JobInputException("$", e.Message, inner: e);
        }
    }

    // Null when the record is Cancelled now; else why it is not.
    private async Task<Exception?> CancelRecordAsync(string jobId)
    {
        using var bounded = new CancellationTokenSource(CancelTimeout);
        try
        {
            var status = await _store.RequestCancelAsync(jobId, bounded.Token).ConfigureAwait(false);
            return status == JobStatus.Cancelled ? null : new InvalidOperationException($"the record is {status?.ToString() ?? "gone"}");
        }
#pragma warning disable CA1031 // Reported, not swallowed: the caller learns the record stays Queued, and why.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex InvalidIdCharacters();
}
