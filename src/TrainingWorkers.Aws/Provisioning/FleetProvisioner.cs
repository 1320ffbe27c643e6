using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Aws.Logs;
using TrainingWorkers.Aws.Sqs;

namespace TrainingWorkers.Aws.Provisioning;

/// <summary>
/// Makes a fleet's AWS resources (what <c>tw env create</c> does): the jobs queue with a redrive policy to its
/// dead-letter queue, the artifacts bucket, the jobs table and the jobs' log group, named after one prefix by
/// <see cref="FleetNames"/> (as the deploy stack names them). Idempotent: what exists is reused as it is, and the
/// jobs queue's settings are read back rather than assumed.
/// </summary>
public sealed class FleetProvisioner
{
    /// <summary>What a prefix may be: it starts every name, and S3 bucket names allow no more (<see cref="FleetNames.Rule"/>).</summary>
    public const string PrefixRule = FleetNames.Rule;

    /// <summary>SQS's limits for a redrive policy's receive count and a queue's visibility timeout (12 h).</summary>
    public const int MaxReceiveCountLimit = 1000;
    public const int MaxVisibilityTimeoutSeconds = 43_200;

    // SQS's longest retention: dead letters wait for a person, and their age counts from the first send.
    private const string DeadLetterRetentionSeconds = "1209600";

    private readonly IAmazonSQS _sqs;
    private readonly IAmazonS3 _s3;
    private readonly IAmazonDynamoDB _dynamo;
    private readonly JobLogs _logs;

    public FleetProvisioner(IAmazonSQS sqs, IAmazonS3 s3, IAmazonDynamoDB dynamo, JobLogs logs)
    {
        _sqs = sqs;
        _s3 = s3;
        _dynamo = dynamo;
        _logs = logs;
    }

    /// <summary>Whether <paramref name="prefix"/> follows <see cref="PrefixRule"/>.</summary>
    public static bool IsValidPrefix(string? prefix) => prefix is not null && FleetNames.IsValid(prefix);

    /// <summary>
    /// Creates (or reuses) <c>{prefix}-jobs</c> (queue and table), <c>{prefix}-jobs-dlq</c>, <c>{prefix}-artifacts</c> and
    /// the log group <c>/trainingworkers/{prefix}/jobs</c>.
    /// A new jobs queue dead-letters a message after <paramref name="maxReceiveCount"/> receives and hides a received one
    /// for <paramref name="visibilityTimeoutSeconds"/>.
    /// </summary>
    public async Task<ProvisionedFleet> EnsureAsync(string prefix, int maxReceiveCount, int visibilityTimeoutSeconds, CancellationToken cancellationToken)
    {
        if (!IsValidPrefix(prefix)) throw new ArgumentException($"must be {PrefixRule}, got '{prefix}'", nameof(prefix));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReceiveCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxReceiveCount, MaxReceiveCountLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(visibilityTimeoutSeconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(visibilityTimeoutSeconds, MaxVisibilityTimeoutSeconds);
        var names = FleetNames.For(prefix);

        var (dlqUrl, dlqCreated) = await EnsureQueueAsync(names.DeadLetterQueue,
            new() { ["MessageRetentionPeriod"] = DeadLetterRetentionSeconds }, cancellationToken).ConfigureAwait(false);
        var dlqArn = (await AttributesAsync(dlqUrl, "QueueArn", cancellationToken).ConfigureAwait(false)).GetValueOrDefault("QueueArn")
            ?? throw new AwsServiceException("sqs", "GetQueueAttributes", "NoQueueArn", $"{dlqUrl} has no QueueArn attribute", AwsErrorCategory.Request);
        var (queueUrl, queueCreated) = await EnsureQueueAsync(names.JobsQueue, new()
        {
            ["VisibilityTimeout"] = visibilityTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["RedrivePolicy"] = new SqsRedrivePolicy(dlqArn, maxReceiveCount).ToJson(),
        }, cancellationToken).ConfigureAwait(false);

        // Read back: a reused queue keeps the settings it was made with.
        var settings = await AttributesAsync(queueUrl, "All", cancellationToken).ConfigureAwait(false);
        var redrive = settings.TryGetValue("RedrivePolicy", out var json) && !string.IsNullOrEmpty(json) ? SqsRedrivePolicy.Parse(json) : null;
        var bucketCreated = await EnsureBucketAsync(names.Bucket, cancellationToken).ConfigureAwait(false);
        var tableCreated = await JobTable.EnsureCreatedAsync(_dynamo, names.JobsTable, cancellationToken).ConfigureAwait(false);
        var logGroupCreated = await _logs.EnsureGroupAsync(names.JobLogGroup, cancellationToken).ConfigureAwait(false);

        return new ProvisionedFleet
        {
            QueueUrl = queueUrl,
            DeadLetterQueueUrl = dlqUrl,
            Bucket = names.Bucket,
            Table = names.JobsTable,
            LogGroup = names.JobLogGroup,
            QueueCreated = queueCreated,
            DeadLetterQueueCreated = dlqCreated,
            BucketCreated = bucketCreated,
            TableCreated = tableCreated,
            LogGroupCreated = logGroupCreated,
            VisibilityTimeoutSeconds = int.TryParse(settings.GetValueOrDefault("VisibilityTimeout"), CultureInfo.InvariantCulture, out var v) ? v : null,
            MaxReceiveCount = redrive?.MaxReceiveCount,
            RedrivesToDeadLetterQueue = redrive?.DeadLetterTargetArn == dlqArn,
        };
    }

    private async Task<(string Url, bool Created)> EnsureQueueAsync(string name, Dictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        // Looked up first: CreateQueue on an existing queue with other attributes fails (QueueAlreadyExists).
        try
        {
            return ((await SdkCall.RunAsync("sqs", "GetQueueUrl", () => _sqs.GetQueueUrlAsync(name, cancellationToken)).ConfigureAwait(false)).QueueUrl, false);
        }
        catch (AwsServiceException e) when (e.InnerException is QueueDoesNotExistException)
        {
            var request = new CreateQueueRequest { QueueName = name, Attributes = attributes };
            return ((await SdkCall.RunAsync("sqs", "CreateQueue", () => _sqs.CreateQueueAsync(request, cancellationToken)).ConfigureAwait(false)).QueueUrl, true);
        }
    }

    private async Task<Dictionary<string, string>> AttributesAsync(string queueUrl, string name, CancellationToken cancellationToken)
    {
        var response = await SdkCall.RunAsync("sqs", "GetQueueAttributes",
            () => _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest(queueUrl, [name]), cancellationToken)).ConfigureAwait(false);
        return response.Attributes ?? [];
    }

    private async Task<bool> EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await SdkCall.RunAsync("s3", "HeadBucket", () => _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, cancellationToken)).ConfigureAwait(false);
            return false;
        }
        catch (AwsServiceException e) when (e.StatusCode == 404)
        {
            // The client's region is the bucket's (PutBucketRequest.UseClientRegion).
            await SdkCall.RunAsync("s3", "CreateBucket", () => _s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken)).ConfigureAwait(false);
            return true;
        }
    }
}
