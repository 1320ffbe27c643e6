using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class CloudWatchMetricsSinkTests
{
    private readonly MotoFixture _moto;

    public CloudWatchMetricsSinkTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task Flush_PointsWithDimensions_ReadBackWithGetMetricData()
    {
        var connection = _moto.Connection();
        var client = new CloudWatchClient(connection.CreateSignedClient("monitoring"), connection);
        var ns = MotoFixture.RandomName("tw");
        var dims = new MetricDimensions { JobId = "job-7", JobName = "mnist", Model = "mlp", InstanceType = "g5.xlarge", Rank = 0 };
        var now = DateTimeOffset.UtcNow;
        await using var sink = NewSink(client, new MetricsOptions { Namespace = ns, HighResolution = true, FlushInterval = TimeSpan.FromMinutes(5) }, dims);

        sink.Publish([Point("val_loss", 0.5, now), Point("val_loss", 0.25, now.AddSeconds(1)), Point("val_loss", double.NaN, now)]);
        await sink.FlushAsync(CancellationToken.None);

        var metric = new MetricId(ns, "val_loss", dims.ToCloudWatch(perRank: false));
        var results = await client.GetMetricDataAsync([new MetricDataQuery("q1", new MetricStat(metric, 60, "Sum"))],
            now.AddMinutes(-5), now.AddMinutes(5), CancellationToken.None);
        Assert.Equal(0.75, Assert.Single(results).Values!.Sum(), 6);
        Assert.Equal(2, sink.SentPoints);
        Assert.Equal(1, sink.InvalidPoints);
    }

    [Fact]
    public async Task Flush_2500Points_SentInCallsOfAtMost1000()
    {
        var batches = new List<int>();
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body);
            lock (batches) batches.Add(doc.RootElement.GetProperty("MetricData").GetArrayLength());
            await context.Response.WriteAsync("{}");
        });
        await using var sink = NewSink(StubClient(stub.Url), new MetricsOptions { FlushInterval = TimeSpan.FromMinutes(5), BufferCapacity = 5000 });

        sink.Publish([.. Enumerable.Range(0, 2500).Select(i => Point("loss", i, DateTimeOffset.UtcNow))]);
        await sink.FlushAsync(CancellationToken.None);

        Assert.Equal([1000, 1000, 500], batches.Order().Reverse());
    }

    [Fact]
    public async Task Publish_FullBatchBuffered_SentBeforeTheFlushInterval()
    {
        var received = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body);
            received.TrySetResult(doc.RootElement.GetProperty("MetricData").GetArrayLength());
            await context.Response.WriteAsync("{}");
        });
        await using var sink = NewSink(StubClient(stub.Url), new MetricsOptions { FlushInterval = TimeSpan.FromMinutes(10) });

        sink.Publish([.. Enumerable.Range(0, 1000).Select(i => Point("loss", i, DateTimeOffset.UtcNow))]);

        Assert.Equal(1000, await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Publish_CloudWatchDownThenBack_OldestDroppedAndCountedRestDelivered()
    {
        var up = false;
        var values = new List<double>();
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            if (!Volatile.Read(ref up))
            {
                context.Response.StatusCode = 503;
                return;
            }

            using var doc = await JsonDocument.ParseAsync(context.Request.Body);
            lock (values) values.AddRange(doc.RootElement.GetProperty("MetricData").EnumerateArray().Select(d => d.GetProperty("Value").GetDouble()));
            await context.Response.WriteAsync("{}");
        });
        var sink = NewSink(StubClient(stub.Url), new MetricsOptions { FlushInterval = TimeSpan.FromMinutes(10), BufferCapacity = 1000 });

        sink.Publish([.. Enumerable.Range(0, 1500).Select(i => Point("loss", i, DateTimeOffset.UtcNow))]);
        var down = await Assert.ThrowsAsync<AwsServiceException>(() => sink.FlushAsync(CancellationToken.None));
        Volatile.Write(ref up, true);
        await sink.DisposeAsync();

        Assert.True(down.IsTransient);
        Assert.Equal(500, sink.DroppedPoints);
        // Delivery is at least once: an attempt that timed out on our side under load may still have been
        // stored and is then sent again. Every one of the newest 1000 must arrive, none of the dropped 500.
        Assert.Equal(1000, values.Distinct().Count());
        Assert.Equal(500, values.Min());
        Assert.Equal(1499, values.Max());
    }

    [Fact]
    public async Task Dispose_PointsBuffered_SentOnShutdown()
    {
        var count = 0;
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body);
            Interlocked.Add(ref count, doc.RootElement.GetProperty("MetricData").GetArrayLength());
            await context.Response.WriteAsync("{}");
        });
        var sink = NewSink(StubClient(stub.Url), new MetricsOptions { FlushInterval = TimeSpan.FromMinutes(10) });

        sink.Publish([Point("a", 1, DateTimeOffset.UtcNow), Point("b", 2, DateTimeOffset.UtcNow)]);
        await sink.DisposeAsync();

        Assert.Equal(2, count);
    }

    [Fact]
    public void MetricBuffer_ReturnToFrontWhenFull_DropsOldestOfTheBatch()
    {
        var buffer = new MetricBuffer<int>(4);
        foreach (var i in new[] { 1, 2, 3 }) buffer.Add(i);
        var batch = new List<int>();
        buffer.Take(batch, 2);
        buffer.Add(4);
        buffer.Add(5);

        var dropped = buffer.ReturnToFront(batch);
        var all = new List<int>();
        buffer.Take(all, 10);

        Assert.Equal(1, dropped);
        Assert.Equal([2, 3, 4, 5], all);
    }

    internal static MetricPoint Point(string name, double value, DateTimeOffset at) => new(name, value, MetricUnit.None, at, null, 1);

    private CloudWatchClient StubClient(Uri url)
    {
        var connection = _moto.Connection(_moto.Options(o =>
        {
            o.ServiceUrl = url;
            o.MaxAttempts = 2;
        }));
        return new CloudWatchClient(connection.CreateSignedClient("monitoring"), connection);
    }

    private static CloudWatchMetricsSink NewSink(CloudWatchClient client, MetricsOptions options, MetricDimensions? dims = null) =>
        new(client, options, dims ?? new MetricDimensions { JobId = "j" }, NullLogger<CloudWatchMetricsSink>.Instance);
}
