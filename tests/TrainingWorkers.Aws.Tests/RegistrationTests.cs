using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class RegistrationTests
{
    private readonly MotoFixture _moto;

    public RegistrationTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task AddTrainingWorkersAws_AgainstEmulator_PortsWorkEndToEnd()
    {
        var bucket = MotoFixture.RandomName("tw");
        var table = MotoFixture.RandomName("jobs");
        var probe = _moto.Connection();
        await probe.CreateClient<IAmazonS3>().PutBucketAsync(bucket);
        await JobTable.EnsureCreatedAsync(probe.CreateClient<IAmazonDynamoDB>(), table, CancellationToken.None);
        var queueUrl = (await probe.CreateClient<IAmazonSQS>().CreateQueueAsync(MotoFixture.RandomName("jobs"))).QueueUrl;
        var services = new ServiceCollection().AddLogging().AddTrainingWorkersAws(o =>
        {
            o.Region = "us-east-1";
            o.ServiceUrl = _moto.Server.Url;
            o.S3.Bucket = bucket;
            o.Queue.QueueUrl = new Uri(queueUrl);
            o.JobTable.TableName = table;
        });
        await using var provider = services.BuildServiceProvider();

        using var spec = JsonDocument.Parse("""{"epochs":1}""");
        await provider.GetRequiredService<IJobQueue>().SubmitAsync(new JobMessage { JobId = "j1", Spec = spec.RootElement }, CancellationToken.None);
        var received = Assert.Single(await provider.GetRequiredService<IJobQueue>().ReceiveAsync(1, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), CancellationToken.None));
        var store = provider.GetRequiredService<IJobStore>();
        await store.CreateAsync(received.Job!.JobId, received.Job.Spec.GetRawText(), CancellationToken.None);
        var lease = await store.TryClaimAsync("j1", "w", TimeSpan.FromMinutes(1), CancellationToken.None);
        var storage = provider.GetRequiredService<S3JobStorage>();
        await using (var checkpoints = new BackgroundCheckpointStore(storage.CheckpointsFor("j1")))
        {
            await checkpoints.WriteAsync(S3CheckpointStoreTests.Small(1), CancellationToken.None);
            await checkpoints.DrainAsync(CancellationToken.None);
        }

        await using (var sink = provider.GetRequiredService<CloudWatchMetrics>().CreateSink(new MetricDimensions { JobId = "j1" }))
        {
            sink.Publish([CloudWatchMetricsSinkTests.Point("loss", 1, DateTimeOffset.UtcNow)]);
            await sink.FlushAsync(CancellationToken.None);
        }

        Assert.NotNull(lease);
        Assert.Single(await storage.CheckpointsFor("j1").ListAsync(CancellationToken.None));
    }

    [Fact]
    public void AddTrainingWorkersAws_SdkClients_RegisteredWithTheEndpointRetriesAndEachServicesSettings()
    {
        var services = new ServiceCollection().AddLogging().AddTrainingWorkersAws(o =>
        {
            o.Region = "eu-west-1";
            o.ServiceUrl = _moto.Server.Url;
            o.MaxAttempts = 4;
            o.AttemptTimeout = TimeSpan.FromSeconds(7);
        });
        using var provider = services.BuildServiceProvider();

        var s3 = (AmazonS3Config)provider.GetRequiredService<IAmazonS3>().Config;
        var sqs = provider.GetRequiredService<IAmazonSQS>().Config;
        var dynamo = provider.GetRequiredService<IAmazonDynamoDB>().Config;

        Assert.All(new[] { s3, sqs, dynamo }, c =>
        {
            Assert.Equal(_moto.Server.Url.ToString(), c.ServiceURL);
            Assert.Equal("eu-west-1", c.AuthenticationRegion);
            Assert.Equal(3, c.MaxErrorRetry);
        });
        Assert.True(s3.ForcePathStyle);
        Assert.Equal(TimeSpan.FromSeconds(7), dynamo.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(27), sqs.Timeout);
        Assert.Same(provider.GetRequiredService<IAmazonSQS>(), provider.GetRequiredService<IAmazonSQS>());
    }

    [Fact]
    public async Task UploadModel_FileLargerThanThreshold_MultipartObjectWithSameBytes()
    {
        var bucket = MotoFixture.RandomName("tw");
        var options = _moto.Options(o => o.S3.Bucket = bucket);
        var s3 = _moto.Connection(options).CreateClient<IAmazonS3>();
        await s3.PutBucketAsync(bucket);
        var storage = new S3JobStorage(new S3Transfer(s3, options.S3), options.S3);
        var path = Path.GetTempFileName();
        var bytes = new byte[(18 << 20) + 123];
        new Random(5).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            var uri = await storage.UploadModelAsync("job-9", path, CancellationToken.None);

            var location = S3Location.Parse(uri);
            using var response = await s3.GetObjectAsync(location.Bucket, location.Key);
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy);
            Assert.Equal($"s3://{bucket}/jobs/job-9/model/{Path.GetFileName(path)}", uri);
            Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
            Assert.EndsWith("-3\"", response.ETag, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AddTrainingWorkersAws_InvalidOptions_StartupValidationListsEveryError()
    {
        var services = new ServiceCollection().AddLogging().AddTrainingWorkersAws(o =>
        {
            o.MaxAttempts = 0;
            o.S3.Parallelism = 0;
        });
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AwsOptions>>().Value);

        Assert.Equal(2, e.Failures.Count());
    }
}
