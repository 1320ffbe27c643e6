using System.Text;
using System.Text.Json;
using TrainingWorkers.Core.Failures;

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
        if (!JobMessage.IsValidJobId(job.JobId)) throw new InvalidJobMessageException($"the job id must be {JobMessage.JobIdRule}, got '{FailureText.Bound(job.JobId, FailureText.MaxName)}'");
        if (job.Spec.ValueKind != JsonValueKind.Object) throw new InvalidJobMessageException("the spec must be a JSON object");
        string body;
        try
        {
            body = JsonSerializer.Serialize(job);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // A queue message is text: a spec whose text does not decode cannot travel, validated or not.
            throw new InvalidJobMessageException("the spec holds text that is not valid Unicode (a lone surrogate escape such as \\ud800)");
        }

        var size = Encoding.UTF8.GetByteCount(body);
        return size <= maxBytes ? body
            : throw new InvalidJobMessageException($"the message is {size} bytes; the queue takes at most {maxBytes}");
    }

    /// <summary>
    /// Reads a message body as a job, or says why it is not one. Never throws: any field of any JSON type, any
    /// text, is a problem of this one message.
    /// </summary>
    public static (JobMessage? Job, string? Problem) Decode(string body, int maxBytes)
    {
        var size = Encoding.UTF8.GetByteCount(body);
        if (size > maxBytes) return (null, $"the message is {size} bytes; at most {maxBytes} are read");
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, "the message is not a JSON object");
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v))
                return (null, $"the message's 'version' must be the integer {JobMessage.CurrentVersion}, got {Describe(version)}");
            if (v != JobMessage.CurrentVersion)
                return (null, $"message version {v} is not supported (this build reads {JobMessage.CurrentVersion})");
            if (!root.TryGetProperty("job_id", out var id) || id.ValueKind != JsonValueKind.String)
                return (null, $"the message's 'job_id' must be a string, got {Describe(id)}");
            var jobId = id.GetString()!;
            if (!JobMessage.IsValidJobId(jobId)) return (null, $"the message's 'job_id' must be {JobMessage.JobIdRule}, got '{FailureText.Bound(jobId, FailureText.MaxName)}'");
            if (!root.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object)
                return (null, $"the message's 'spec' must be a JSON object, got {Describe(spec)}");
            // The spec's own rules (its texts included) are the job's business: the worker fails the job with them.
            return (new JobMessage { Version = v, JobId = jobId, Spec = spec.Clone() }, null);
        }
        catch (JsonException e)
        {
            return (null, $"the message is not valid JSON: {FailureText.Bound(e.Message, FailureText.MaxName)}");
        }
        catch (InvalidOperationException e)
        {
            // A text that does not decode (a lone surrogate escape in job_id).
            return (null, $"the message is not valid text: {FailureText.Bound(e.Message, FailureText.MaxName)}");
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => "nothing",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        _ => FailureText.Bound(value.GetRawText(), 40),
    };
}
