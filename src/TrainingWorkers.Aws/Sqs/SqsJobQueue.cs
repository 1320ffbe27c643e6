using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Aws.Sqs;

/// <summary>
/// The jobs queue on SQS, through AWSSDK.SQS. Bodies are versioned <see cref="JobMessage"/> envelopes; failures
/// surface as <see cref="AwsServiceException"/>, sorted by <see cref="AwsErrors"/> after the SDK's retries.
/// </summary>
internal sealed class SqsJobQueue : IJobQueue
{
    /// <summary>SQS's limits: 10 messages per receive, a 20 s long poll, 12 h of visibility from a receive.</summary>
    public const int MaxReceive = 10;
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromHours(12);

    private static readonly List<string> All = ["All"];
    private static readonly List<string> PolicyNames = ["VisibilityTimeout", "RedrivePolicy"];
    private static readonly List<string> DepthNames =
        ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];

    private readonly IAmazonSQS _sqs;
    private readonly string _queueUrl;
    private readonly ILogger _logger;

    public SqsJobQueue(IAmazonSQS sqs, string queueUrl, ILogger<SqsJobQueue> logger)
    {
        _sqs = sqs;
        _queueUrl = queueUrl;
        _logger = logger;
    }

    public async Task<string> SubmitAsync(JobMessage job, CancellationToken cancellationToken)
    {
        var request = new SendMessageRequest(_queueUrl, JobMessageCodec.Encode(job, JobMessage.MaxBytes))
        {
            MessageAttributes = new()
            {
                ["tw-version"] = Number(job.Version),
                ["tw-job-id"] = Text(job.JobId),
            },
        };
        var response = await SdkCall.RunAsync("sqs", "SendMessage", () => _sqs.SendMessageAsync(request, cancellationToken)).ConfigureAwait(false);
        return response.MessageId;
    }

    public async Task<IReadOnlyList<ReceivedJob>> ReceiveAsync(int maxJobs, TimeSpan wait, TimeSpan visibility, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxJobs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxJobs, MaxReceive);
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wait, MaxWait);
        var request = new ReceiveMessageRequest(_queueUrl)
        {
            MaxNumberOfMessages = maxJobs,
            WaitTimeSeconds = (int)wait.TotalSeconds,
            VisibilityTimeout = Seconds(visibility),
            MessageSystemAttributeNames = All,
            MessageAttributeNames = All,
        };
        var response = await SdkCall.RunAsync("sqs", "ReceiveMessage", () => _sqs.ReceiveMessageAsync(request, cancellationToken)).ConfigureAwait(false);
        // SDK v4 answers an empty poll with null, not an empty list.
        return response.Messages is { } messages ? [.. messages.Select(Read)] : [];
    }

    public Task ExtendAsync(ReceivedJob job, TimeSpan visibility, CancellationToken cancellationToken) =>
        SdkCall.RunAsync("sqs", "ChangeMessageVisibility", () => _sqs.ChangeMessageVisibilityAsync(_queueUrl, job.ReceiptHandle, Seconds(visibility), cancellationToken));

    public Task ReleaseAsync(ReceivedJob job, CancellationToken cancellationToken) => ExtendAsync(job, TimeSpan.Zero, cancellationToken);

    public Task CompleteAsync(ReceivedJob job, CancellationToken cancellationToken) =>
        SdkCall.RunAsync("sqs", "DeleteMessage", () => _sqs.DeleteMessageAsync(_queueUrl, job.ReceiptHandle, cancellationToken));

    public async Task DeadLetterAsync(ReceivedJob job, string reason, CancellationToken cancellationToken)
    {
        var policy = await ReadRedrivePolicyAsync(cancellationToken).ConfigureAwait(false);
        if (policy.Redrive?.DeadLetterQueueName is { } dlq)
        {
            var url = await SdkCall.RunAsync("sqs", "GetQueueUrl", () => _sqs.GetQueueUrlAsync(dlq, cancellationToken)).ConfigureAwait(false);
            var request = new SendMessageRequest(url.QueueUrl, job.Body)
            {
                MessageAttributes = new()
                {
                    ["tw-reason"] = Text(reason.Length <= 1024 ? reason : reason[..1024]),
                    ["tw-receive-count"] = Number(job.ReceiveCount),
                },
            };
            if (job.Job is { } j) request.MessageAttributes["tw-job-id"] = Text(j.JobId);
            await SdkCall.RunAsync("sqs", "SendMessage", () => _sqs.SendMessageAsync(request, cancellationToken)).ConfigureAwait(false);
        }

        await CompleteAsync(job, cancellationToken).ConfigureAwait(false);
    }

    public async Task<QueuePolicy> GetPolicyAsync(CancellationToken cancellationToken)
    {
        var (visibility, redrive) = await ReadRedrivePolicyAsync(cancellationToken).ConfigureAwait(false);
        return new QueuePolicy(visibility, redrive?.MaxReceiveCount, redrive?.DeadLetterQueueName);
    }

    public async Task<QueueDepth> GetDepthAsync(CancellationToken cancellationToken)
    {
        var a = await AttributesAsync(DepthNames, cancellationToken).ConfigureAwait(false);
        return new QueueDepth(Long(a, DepthNames[0]), Long(a, DepthNames[1]), Long(a, DepthNames[2]));
    }

    private async Task<(TimeSpan Visibility, SqsRedrivePolicy? Redrive)> ReadRedrivePolicyAsync(CancellationToken cancellationToken)
    {
        var a = await AttributesAsync(PolicyNames, cancellationToken).ConfigureAwait(false);
        var visibility = TimeSpan.FromSeconds(a.ContainsKey(PolicyNames[0]) ? Long(a, PolicyNames[0]) : 30);
        return (visibility, a.TryGetValue(PolicyNames[1], out var redrive) && !string.IsNullOrEmpty(redrive) ? SqsRedrivePolicy.Parse(redrive) : null);
    }

    private async Task<Dictionary<string, string>> AttributesAsync(List<string> names, CancellationToken cancellationToken)
    {
        var response = await SdkCall.RunAsync("sqs", "GetQueueAttributes",
            () => _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest(_queueUrl, names), cancellationToken)).ConfigureAwait(false);
        return response.Attributes ?? [];
    }

    private ReceivedJob Read(Message m)
    {
        var body = m.Body ?? "";
        var receiveCount = (int)Long(m.Attributes, "ApproximateReceiveCount", fallback: 1);
        var (job, problem) = JobMessageCodec.Decode(body, JobMessage.MaxBytes);
        if (problem is not null) Log.UnreadableMessage(_logger, m.MessageId, receiveCount, problem);
        return new ReceivedJob
        {
            MessageId = m.MessageId,
            ReceiptHandle = m.ReceiptHandle,
            ReceiveCount = receiveCount,
            SentAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(m.Attributes, "SentTimestamp")),
            Job = job,
            Problem = problem,
            Body = body,
        };
    }

    private static long Long(Dictionary<string, string>? attributes, string name, long fallback = 0) =>
        attributes is not null && attributes.TryGetValue(name, out var v) && long.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : fallback;

    // A receive's visibility is capped at 12 h by SQS; asking for more is a bug in the caller.
    private static int Seconds(TimeSpan visibility)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(visibility, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(visibility, MaxVisibility);
        return (int)Math.Ceiling(visibility.TotalSeconds);
    }

    private static MessageAttributeValue Text(string value) => new() { DataType = "String", StringValue = value };

    private static MessageAttributeValue Number(long value) => new() { DataType = "Number", StringValue = value.ToString(CultureInfo.InvariantCulture) };
}
