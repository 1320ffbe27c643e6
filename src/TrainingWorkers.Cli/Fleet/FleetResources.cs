using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Aws.Logs;
using TrainingWorkers.Aws.Sqs;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// A fleet's AWS resources (named by <see cref="FleetNames"/>): the jobs queue with a redrive policy to its
/// dead-letter queue, the artifacts bucket, the jobs table and the jobs' log group. Creation is idempotent: what exists is reused as it is.
/// </summary>
internal static class FleetResources
{
    // SQS's longest retention: dead letters wait for a person, and their age counts from the first send.
    private const string DeadLetterRetentionSeconds = "1209600";
    private static readonly string[] QueueArn = ["QueueArn"];
    private static readonly string[] QueueSettingNames = ["VisibilityTimeout", "RedrivePolicy"];

    /// <summary>What exists now, which of the five were made by this call, and the jobs queue's settings as read back.</summary>
    public sealed record Created(FleetEnvironment Environment, bool Queue, bool DeadLetterQueue, bool Bucket, bool Table, bool LogGroup, QueueSettings Settings);

    /// <summary>The jobs queue's visibility timeout and redrive policy; <see cref="RedrivesToDeadLetterQueue"/> is false when a reused queue has none, or another.</summary>
    public sealed record QueueSettings(string VisibilityTimeout, int? MaxReceiveCount, bool RedrivesToDeadLetterQueue);

    public static async Task<Created> EnsureAsync(FleetTarget target, string prefix, int maxReceiveCount, int visibilityTimeout, CancellationToken cancellationToken)
    {
        var names = FleetNames.For(prefix);
        var (queueName, bucket, table) = (names.JobsQueue, names.Bucket, names.JobsTable);
        await using var services = target.CreateServices();
        var sqs = services.GetRequiredService<SqsClient>();

        var (dlqUrl, dlqCreated) = await EnsureQueueAsync(sqs, names.DeadLetterQueue,
            new Dictionary<string, string> { ["MessageRetentionPeriod"] = DeadLetterRetentionSeconds }, cancellationToken).ConfigureAwait(false);
        var dlqAttributes = await sqs.GetQueueAttributesAsync(dlqUrl, QueueArn, cancellationToken).ConfigureAwait(false);
        var dlqArn = dlqAttributes.TryGetValue("QueueArn", out var arn) ? arn
            : throw new AwsServiceException("sqs", "GetQueueAttributes", "NoQueueArn", $"{dlqUrl} has no QueueArn attribute", AwsErrorCategory.Request);
        var (queueUrl, queueCreated) = await EnsureQueueAsync(sqs, queueName, new Dictionary<string, string>
        {
            ["VisibilityTimeout"] = visibilityTimeout.ToString(CultureInfo.InvariantCulture),
            ["RedrivePolicy"] = new SqsRedrivePolicy(dlqArn, maxReceiveCount).ToJson(),
        }, cancellationToken).ConfigureAwait(false);

        var settings = await ReadSettingsAsync(sqs, queueUrl, dlqArn, cancellationToken).ConfigureAwait(false);
        var bucketCreated = await EnsureBucketAsync(services.GetRequiredService<IAmazonS3>(), bucket, cancellationToken).ConfigureAwait(false);

        var dynamo = services.GetRequiredService<IAmazonDynamoDB>();
        var tableCreated = !await TableExistsAsync(dynamo, table, cancellationToken).ConfigureAwait(false);
        await JobTable.EnsureCreatedAsync(dynamo, table, cancellationToken).ConfigureAwait(false);
        var logGroupCreated = await services.GetRequiredService<JobLogs>().EnsureGroupAsync(names.JobLogGroup, cancellationToken).ConfigureAwait(false);

        var environment = new FleetEnvironment
        {
            Region = target.Region,
            EndpointUrl = target.EndpointUrl?.ToString(),
            QueueUrl = queueUrl,
            DeadLetterQueueUrl = dlqUrl,
            Table = table,
            Bucket = bucket,
            LogGroup = names.JobLogGroup,
        };
        return new Created(environment, queueCreated, dlqCreated, bucketCreated, tableCreated, logGroupCreated, settings);
    }

    // Read back rather than echoed: a reused queue keeps the settings it was made with.
    private static async Task<QueueSettings> ReadSettingsAsync(SqsClient sqs, string queueUrl, string dlqArn, CancellationToken cancellationToken)
    {
        var attributes = await sqs.GetQueueAttributesAsync(queueUrl, QueueSettingNames, cancellationToken).ConfigureAwait(false);
        var visibility = attributes.GetValueOrDefault("VisibilityTimeout", "?");
        if (!attributes.TryGetValue("RedrivePolicy", out var redrive)) return new QueueSettings(visibility, null, false);
        var policy = SqsRedrivePolicy.Parse(redrive);
        return new QueueSettings(visibility, policy.MaxReceiveCount, policy.DeadLetterTargetArn == dlqArn);
    }

    private static async Task<(string Url, bool Created)> EnsureQueueAsync(SqsClient sqs, string name, IReadOnlyDictionary<string, string> attributes,
        CancellationToken cancellationToken)
    {
        // Looked up first: CreateQueue on an existing queue with other attributes fails (QueueAlreadyExists).
        try
        {
            return (await sqs.GetQueueUrlAsync(name, cancellationToken).ConfigureAwait(false), false);
        }
        catch (AwsServiceException e) when (e.ErrorCode is "QueueDoesNotExist" or "AWS.SimpleQueueService.NonExistentQueue" or "NonExistentQueue")
        {
            return (await sqs.CreateQueueAsync(name, attributes, cancellationToken).ConfigureAwait(false), true);
        }
    }

    private static async Task<bool> EnsureBucketAsync(IAmazonS3 s3, string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await SdkCall.RunAsync("s3", "HeadBucket", () => s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, cancellationToken)).ConfigureAwait(false);
            return false;
        }
        catch (AwsServiceException e) when (e.StatusCode == 404)
        {
            // The client's region is the bucket's (PutBucketRequest.UseClientRegion).
            await SdkCall.RunAsync("s3", "CreateBucket", () => s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken)).ConfigureAwait(false);
            return true;
        }
    }

    private static async Task<bool> TableExistsAsync(IAmazonDynamoDB dynamo, string table, CancellationToken cancellationToken)
    {
        try
        {
            await SdkCall.RunAsync("dynamodb", "DescribeTable", () => dynamo.DescribeTableAsync(table, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
        {
            return false;
        }
    }
}
