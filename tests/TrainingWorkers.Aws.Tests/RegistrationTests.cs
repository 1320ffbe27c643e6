using System.Text.Json;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Aws.Sqs;
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
        await probe.CreateS3Client().PutBucketAsync(bucket);
        await JobTable.EnsureCreatedAsync(probe.CreateDynamoDbClient(), table, CancellationToken.None);
        var queueUrl = await new SqsClient(probe.CreateSignedClient("sqs"), probe).CreateQueueAsync(MotoFixture.RandomName("jobs"), null, CancellationToken.None);
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
    public async Task UploadModel_FileLargerThanThreshold_MultipartObjectWithSameBytes()
    {
        var bucket = MotoFixture.RandomName("tw");
        var options = _moto.Options(o => o.S3.Bucket = bucket);
        var s3 = _moto.Connection(options).CreateS3Client();
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
