using System.Text.Json;
using Amazon.S3.Model;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Engine.Data.Shards;
using TrainingWorkers.Tests.Shared;

namespace TrainingWorkers.Worker.Tests;

/// <summary>
/// Image data through a real worker and the emulator's S3: a JPEG image folder fetched through the dataset cache,
/// and webdataset shards that the ranks stream shard by shard through the same cache.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class ImageDataTests(MotoFixture moto)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task JpegFolderAndStreamedShardsInS3_TrainOnAWorker_WithInputMetricsInCloudWatch()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server, trainExamples: 100, testExamples: 10);
        var local = Path.Combine(fleet.Directory, "images");
        var train = FashionImageFolder.Write(Path.Combine(local, "train"), "train", 3000, "jpg");
        var test = FashionImageFolder.Write(Path.Combine(local, "test"), "t10k", 500, "jpg");
        ShardPacker.Pack(train, Path.Combine(local, "shards"), samplesPerShard: 500, seed: 1);
        foreach (var file in Directory.GetFiles(local, "*", SearchOption.AllDirectories))
        {
            var key = "datasets/images/" + Path.GetRelativePath(local, file).Replace('\\', '/');
            await fleet.S3.PutObjectAsync(new PutObjectRequest { BucketName = fleet.Bucket, Key = key, FilePath = file });
        }

        var prefix = $"s3://{fleet.Bucket}/datasets/images";
        fleet.StartWorker("worker-images");
        await fleet.SubmitAsync("job-folder", Spec("folder", $$"""{ "format": "image_folder", "train": "{{prefix}}/train/", "test": "{{prefix}}/test/" }"""));
        await fleet.SubmitAsync("job-shards", Spec("shards", $$"""{ "format": "webdataset", "train": "{{prefix}}/shards/", "shuffle_buffer": 500 }"""));

        var folder = await fleet.WaitForEndAsync("job-folder", JobTimeout);
        Assert.True(folder.Status == JobStatus.Succeeded, $"{folder.Status} {folder.Error}");
        // The bar of the worker's IDX jobs on the same kind of subset.
        Assert.InRange(folder.FinalMetrics["test_accuracy"], 0.6, 1.0);
        var shards = await fleet.WaitForEndAsync("job-shards", JobTimeout);
        Assert.True(shards.Status == JobStatus.Succeeded, $"{shards.Status} {shards.Error}");

        var client = new CloudWatchClient(fleet.Connection.CreateSignedClient("monitoring"), fleet.Connection);
        var metric = new MetricId("TrainingWorkers", "images_per_second", new MetricDimensions { JobId = "job-shards", JobName = "shards", Model = "mlp" }.ToCloudWatch(perRank: false));
        var results = await client.GetMetricDataAsync([new MetricDataQuery("q", new MetricStat(metric, 60, "SampleCount"))],
            DateTimeOffset.UtcNow.AddMinutes(-15), DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);
        Assert.Equal(2, results.Single().Values!.Sum());
    }

    private static JsonElement Spec(string name, string data) => JsonDocument.Parse($$"""
        {
          "apiVersion": "trainingworkers/v1", "name": "{{name}}", "model": { "type": "mlp", "hidden": [64] }, "data": {{data}},
          "training": { "epochs": 2, "batch_size": 32, "learning_rate": 0.002, "seed": 3, "threads": 1 }
        }
        """).RootElement.Clone();
}
