using System.Text.Json.Nodes;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Doctor;

/// <summary>
/// The AWS side, with the worker's own calls only: credentials from the default chain (environment, profile, web
/// identity, container, instance role), the settings' rules, then the queue (its attributes, as the worker reads
/// them at start-up), the jobs table (a GetItem) and the bucket (a listing under the jobs' prefix). On a fleet
/// instance this runs under the workers' role, which grants exactly the worker's calls (IamActions): a
/// DescribeTable or a HeadBucket would be refused there, and the worker would never start.
/// </summary>
internal static class AwsChecks
{
    public static async Task<IReadOnlyList<DoctorCheck>> RunAsync(DoctorSettings settings, CancellationToken cancellationToken)
    {
        if (!settings.AwsConfigured)
        {
            return [DoctorCheck.Skip("aws", "no queue or bucket configured (TW_Aws__Queue__QueueUrl, TW_Aws__S3__Bucket, --env or --queue-url)")];
        }

        var aws = settings.Aws;
        var region = string.IsNullOrEmpty(aws.Region) ? FallbackRegionFactory.GetRegionEndpoint()?.SystemName : aws.Region;
        if (region is null) return [DoctorCheck.Fail("credentials", "no region: set Aws:Region (TW_Aws__Region), AWS_REGION, or pass --region")];

        var checks = new List<DoctorCheck>();
        try
        {
            var credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            await credentials.GetCredentialsAsync().ConfigureAwait(false);
            checks.Add(DoctorCheck.Ok("credentials", $"{credentials.GetType().Name}, region {region}" + (aws.ServiceUrl is null ? "" : $", endpoint {aws.ServiceUrl}"),
                new JsonObject { ["source"] = credentials.GetType().Name, ["region"] = region, ["endpoint"] = aws.ServiceUrl?.ToString() }));
        }
        catch (Exception e) when (e is AmazonClientException or AmazonServiceException)
        {
            checks.Add(DoctorCheck.Fail("credentials", "no AWS credentials were found (environment, profile, web identity, container, instance role)"));
            return checks;
        }

        await using var services = new ServiceCollection().AddLogging().AddTrainingWorkersAws(o =>
        {
            Copy(aws, o);
            o.Region = region;
            // A person or a unit start waits on this: an unreachable endpoint fails in seconds.
            o.MaxAttempts = 2;
            o.RetryMaxDelay = TimeSpan.FromSeconds(1);
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
        }).BuildServiceProvider();
        try
        {
            // The worker's own rules for its AWS settings, every broken one named.
            _ = services.GetRequiredService<IOptions<AwsOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            checks.Add(DoctorCheck.Fail("aws settings", string.Join("; ", e.Failures)));
            return checks;
        }

        if (aws.Queue.QueueUrl is { } queueUrl)
        {
            checks.Add(await Reach("queue", queueUrl.ToString(), async () =>
            {
                var policy = await services.GetRequiredService<IJobQueue>().GetPolicyAsync(cancellationToken).ConfigureAwait(false);
                return $"visibility {policy.VisibilityTimeout.TotalSeconds:F0} s, " + (policy.DeadLetterQueue is null
                    ? "no dead-letter queue (a poison message is retried forever)"
                    : $"dead letters after {policy.MaxReceiveCount} receives to {policy.DeadLetterQueue}");
            }, cancellationToken).ConfigureAwait(false));
            var table = aws.JobTable.TableName;
            checks.Add(await Reach("table", table, async () =>
            {
                // A key no job has: the answer is empty, but the table and the right to read it are proven.
                await services.GetRequiredService<IAmazonDynamoDB>().GetItemAsync(new GetItemRequest
                {
                    TableName = table, ConsistentRead = false,
                    Key = new Dictionary<string, AttributeValue> { [JobTableSchema.PartitionKey] = new("tw-doctor"), [JobTableSchema.SortKey] = new("tw-doctor") },
                }, cancellationToken).ConfigureAwait(false);
                return "readable";
            }, cancellationToken).ConfigureAwait(false));
        }

        if (aws.S3.Bucket is { Length: > 0 } bucket)
        {
            checks.Add(await Reach("bucket", bucket, async () =>
            {
                // The worker lists only under its prefixes (the fleet's role allows no other listing).
                await services.GetRequiredService<IAmazonS3>().ListObjectsV2Async(new ListObjectsV2Request
                {
                    BucketName = bucket, Prefix = aws.S3.Prefix.TrimEnd('/') + "/", MaxKeys = 1,
                }, cancellationToken).ConfigureAwait(false);
                return $"listable under {aws.S3.Prefix.TrimEnd('/')}/";
            }, cancellationToken).ConfigureAwait(false));
        }

        return checks;
    }

    private static async Task<DoctorCheck> Reach(string name, string what, Func<Task<string>> call, CancellationToken cancellationToken)
    {
        try
        {
            var summary = await call().ConfigureAwait(false);
            return DoctorCheck.Ok(name, $"{what}: {summary}", new JsonObject { ["name"] = what });
        }
        catch (AwsServiceException e)
        {
            return DoctorCheck.Fail(name, $"{what}: {e.Message.ReplaceLineEndings(" ")}", new JsonObject { ["name"] = what, ["error"] = e.ErrorCode });
        }
        catch (AmazonServiceException e)
        {
            var code = string.IsNullOrEmpty(e.ErrorCode) ? e.StatusCode.ToString() : e.ErrorCode;
            return DoctorCheck.Fail(name, $"{what}: {code}: {e.Message.ReplaceLineEndings(" ")}", new JsonObject { ["name"] = what, ["error"] = code });
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException)
        {
            return DoctorCheck.Fail(name, $"{what}: unreachable: {e.Message.ReplaceLineEndings(" ")}", new JsonObject { ["name"] = what, ["error"] = "NetworkError" });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DoctorCheck.Fail(name, $"{what}: no answer in time", new JsonObject { ["name"] = what, ["error"] = "Timeout" });
        }
    }

    private static void Copy(AwsOptions from, AwsOptions to)
    {
        to.ServiceUrl = from.ServiceUrl;
        to.Queue.QueueUrl = from.Queue.QueueUrl;
        to.JobTable.TableName = from.JobTable.TableName;
        to.S3.Bucket = from.S3.Bucket;
        to.S3.Prefix = from.S3.Prefix;
        to.S3.CacheDirectory = from.S3.CacheDirectory;
    }
}
