using System.Text;
using System.Text.Json;

namespace TrainingWorkers.Core.Jobs;

/// <summary>
/// Turns <see cref="JobMessage"/>s into queue message bodies and back. Reading never throws: a body
/// that is not a job of a known version comes back with the reason, so the worker can dead-letter it.
/// </summary>
public static class JobMessageCodec
{
    /// <summary>Serializes a job; throws <see cref="InvalidJobMessageException"/> when it is invalid or larger than <paramref name="maxBytes"/>.</summary>
    public static string Encode(JobMessage job, int maxBytes)
    {
        if (!JobMessage.IsValidJobId(job.JobId)) throw new InvalidJobMessageException($"the job id must be {JobMessage.JobIdRule}, got '{job.JobId}'");
        if (job.Spec.ValueKind != JsonValueKind.Object) throw new InvalidJobMessageException("the spec must be a JSON object");
        var body = JsonSerializer.Serialize(job);
        var size = Encoding.UTF8.GetByteCount(body);
        return size <= maxBytes ? body
            : throw new InvalidJobMessageException($"the message is {size} bytes; the queue takes at most {maxBytes}");
    }

    /// <summary>Reads a message body as a job, or says why it is not one.</summary>
    public static (JobMessage? Job, string? Problem) Decode(string body, int maxBytes)
    {
        var size = Encoding.UTF8.GetByteCount(body);
        if (size > maxBytes) return (null, $"the message is {size} bytes; at most {maxBytes} are read");
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, "the message is not a JSON object");
            if (!doc.RootElement.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v))
                return (null, "the message has no integer 'version'");
            if (v != JobMessage.CurrentVersion)
                return (null, $"message version {v} is not supported (this build reads {JobMessage.CurrentVersion})");
            var job = doc.RootElement.Deserialize<JobMessage>();
            if (job is null || string.IsNullOrWhiteSpace(job.JobId)) return (null, "the message has no 'job_id'");
            if (!JobMessage.IsValidJobId(job.JobId)) return (null, $"the message's 'job_id' must be {JobMessage.JobIdRule}, got '{job.JobId}'");
            if (job.Spec.ValueKind != JsonValueKind.Object) return (null, "the message's 'spec' is not a JSON object");
            return (job with { Spec = job.Spec.Clone() }, null);
        }
        catch (JsonException e)
        {
            return (null, $"the message is not valid JSON: {e.Message}");
        }
    }
}
