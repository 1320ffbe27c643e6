using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Jobs;

/// <summary>
/// What goes on the queue: a versioned envelope around the job spec. Readers refuse versions they do
/// not know rather than guess.
/// </summary>
public sealed record JobMessage
{
    /// <summary>The envelope version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The largest envelope a jobs queue takes: SQS's 256 KiB message limit. Larger jobs are refused before anything is recorded.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>What a job id may be: it names the job's S3 prefix and table key.</summary>
    public const string JobIdRule = "1-128 letters, digits, '.', '_' or '-', starting with a letter or digit";

    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    [JsonPropertyName("job_id")] public required string JobId { get; init; }
    /// <summary>Whether <paramref name="jobId"/> follows <see cref="JobIdRule"/>.</summary>
    public static bool IsValidJobId(string jobId) =>
        jobId.Length is >= 1 and <= 128 && char.IsAsciiLetterOrDigit(jobId[0]) && jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>The job spec, kept as JSON: the queue does not interpret it.</summary>
    [JsonPropertyName("spec")] public required JsonElement Spec { get; init; }
}

/// <summary>A message taken from the queue, with what is needed to extend, release or complete it.</summary>
public sealed record ReceivedJob
{
    public required string MessageId { get; init; }
    /// <summary>The queue's handle for this receipt; a later receive of the same message gets another.</summary>
    public required string ReceiptHandle { get; init; }
    /// <summary>How many times the message has been received, this time included.</summary>
    public required int ReceiveCount { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    /// <summary>The job, or null when the message could not be read as one.</summary>
    public JobMessage? Job { get; init; }
    /// <summary>Why the message is not a job (malformed, oversized, unknown version), or null.</summary>
    public string? Problem { get; init; }
    /// <summary>The message body as received, kept for the dead-letter queue.</summary>
    public string Body { get; init; } = "";
}
