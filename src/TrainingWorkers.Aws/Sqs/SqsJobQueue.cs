using System.Globalization;
using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Aws.Sqs;

/// <summary>The jobs queue on SQS. Bodies are versioned <see cref="JobMessage"/> envelopes.</summary>
internal sealed class SqsJobQueue : IJobQueue
{
    private static readonly string[] DepthNames =
        ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];

    private readonly SqsClient _sqs;
    private readonly string _queueUrl;
    private readonly ILogger _logger;

    public SqsJobQueue(SqsClient sqs, string queueUrl, ILogger<SqsJobQueue> logger)
    {
        _sqs = sqs;
        _queueUrl = queueUrl;
        _logger = logger;
    }

    public Task<string> SubmitAsync(JobMessage job, CancellationToken cancellationToken)
    {
        var body = JobMessageCodec.Encode(job, SqsClient.MaxMessageBytes);
        var attributes = new Dictionary<string, SqsAttributeValue>
        {
            ["tw-version"] = new("Number", job.Version.ToString(CultureInfo.InvariantCulture)),
            ["tw-job-id"] = new("String", job.JobId),
        };
        return _sqs.SendMessageAsync(_queueUrl, body, attributes, cancellationToken);
    }

    public async Task<IReadOnlyList<ReceivedJob>> ReceiveAsync(int maxJobs, TimeSpan wait, TimeSpan visibility, CancellationToken cancellationToken)
    {
        var messages = await _sqs.ReceiveMessagesAsync(_queueUrl, maxJobs, wait, visibility, cancellationToken).ConfigureAwait(false);
        var jobs = new List<ReceivedJob>(messages.Count);
        foreach (var m in messages)
        {
            var (job, problem) = JobMessageCodec.Decode(m.Body, SqsClient.MaxMessageBytes);
            if (problem is not null) Log.UnreadableMessage(_logger, m.MessageId, m.ReceiveCount, problem);
            jobs.Add(new ReceivedJob
            {
                MessageId = m.MessageId,
                ReceiptHandle = m.ReceiptHandle,
                ReceiveCount = m.ReceiveCount,
                SentAt = m.SentAt,
                Job = job,
                Problem = problem,
                Body = m.Body,
            });
        }

        return jobs;
    }

    public Task ExtendAsync(ReceivedJob job, TimeSpan visibility, CancellationToken cancellationToken) =>
        _sqs.ChangeVisibilityAsync(_queueUrl, job.ReceiptHandle, visibility, cancellationToken);

    public Task ReleaseAsync(ReceivedJob job, CancellationToken cancellationToken) =>
        _sqs.ChangeVisibilityAsync(_queueUrl, job.ReceiptHandle, TimeSpan.Zero, cancellationToken);

    public Task CompleteAsync(ReceivedJob job, CancellationToken cancellationToken) =>
        _sqs.DeleteMessageAsync(_queueUrl, job.ReceiptHandle, cancellationToken);

    public async Task DeadLetterAsync(ReceivedJob job, string reason, CancellationToken cancellationToken)
    {
        var policy = await GetPolicyAsync(cancellationToken).ConfigureAwait(false);
        if (policy.DeadLetterQueue is { } dlq)
        {
            var url = await _sqs.GetQueueUrlAsync(dlq, cancellationToken).ConfigureAwait(false);
            var attributes = new Dictionary<string, SqsAttributeValue>
            {
                ["tw-reason"] = new("String", reason.Length <= 1024 ? reason : reason[..1024]),
                ["tw-receive-count"] = new("Number", job.ReceiveCount.ToString(CultureInfo.InvariantCulture)),
            };
            if (job.Job is { } j) attributes["tw-job-id"] = new("String", j.JobId);
            await _sqs.SendMessageAsync(url, job.Body, attributes, cancellationToken).ConfigureAwait(false);
        }

        await CompleteAsync(job, cancellationToken).ConfigureAwait(false);
    }

    public async Task<QueuePolicy> GetPolicyAsync(CancellationToken cancellationToken)
    {
        var a = await _sqs.GetQueueAttributesAsync(_queueUrl, ["VisibilityTimeout", "RedrivePolicy"], cancellationToken).ConfigureAwait(false);
        var visibility = TimeSpan.FromSeconds(a.TryGetValue("VisibilityTimeout", out var v) && int.TryParse(v, CultureInfo.InvariantCulture, out var s) ? s : 30);
        if (!a.TryGetValue("RedrivePolicy", out var redrive) || string.IsNullOrEmpty(redrive)) return new QueuePolicy(visibility, null, null);
        var policy = SqsRedrivePolicy.Parse(redrive);
        var arn = policy.DeadLetterTargetArn;
        return new QueuePolicy(visibility, policy.MaxReceiveCount, arn?[(arn.LastIndexOf(':') + 1)..]);
    }

    public async Task<QueueDepth> GetDepthAsync(CancellationToken cancellationToken)
    {
        var a = await _sqs.GetQueueAttributesAsync(_queueUrl, DepthNames, cancellationToken).ConfigureAwait(false);
        long Read(string name) => a.TryGetValue(name, out var v) && long.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new QueueDepth(Read(DepthNames[0]), Read(DepthNames[1]), Read(DepthNames[2]));
    }
}
