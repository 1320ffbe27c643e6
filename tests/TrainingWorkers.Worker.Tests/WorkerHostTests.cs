using System.Net;
using TrainingWorkers.Aws.Instance;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker.Tests;

/// <summary>The worker as a process on an instance: configuration errors, health endpoints, the instance's notices.</summary>
[Collection(FleetCollection.Name)]
public sealed class WorkerHostTests(MotoFixture moto)
{
    [Fact]
    public async Task BadConfiguration_ExitsWith2AndNamesEverySettingAndRule()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server, trainExamples: 100, testExamples: 10);
        var worker = fleet.StartWorker("worker-a", new Dictionary<string, string>
        {
            ["TW_Worker__MaxAttempts"] = "0", ["TW_Worker__LeaseDuration"] = "00:00:01", ["TW_Aws__S3__Bucket"] = "",
        });

        Assert.Equal(2, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(worker.Log.Contains("Worker:MaxAttempts: must be between 1 and 100, got 0", StringComparison.Ordinal), worker.Log);
        Assert.Contains("Worker:LeaseDuration: must be between 00:00:05 and 12:00:00, got 00:00:01", worker.Log, StringComparison.Ordinal);
        Assert.Contains("Aws:S3:Bucket: must be set", worker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueMissing_ExitsWith3AndOneClearLine()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server, trainExamples: 100, testExamples: 10);
        var worker = fleet.StartWorker("worker-a", new Dictionary<string, string> { ["TW_Aws__Queue__QueueUrl"] = fleet.QueueUrl + "-missing" });

        var code = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 3, worker.Log);
        Assert.Single(worker.Log.Split('\n'), l => l.Contains("The worker stops for good (exit code 3):", StringComparison.Ordinal));
        Assert.True(worker.Log.Contains("does not exist", StringComparison.Ordinal), worker.Log);
    }

    [Fact]
    public async Task Health_ReadyWhilePollingThenSigtermExitsPromptly()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server, trainExamples: 100, testExamples: 10);
        var port = MotoServer.FreePort();
        var worker = fleet.StartWorker("worker-a", new Dictionary<string, string> { ["TW_Worker__HealthPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await worker.WaitForLogAsync("polling", TimeSpan.FromSeconds(60));
        using var http = new HttpClient();

        var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
        var live = await http.GetAsync(new Uri($"http://localhost:{port}/health/live"));
        var unknown = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/other"));
        worker.Terminate();

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"running_jobs\":0", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task OnAnInstance_ProtectedFromScaleInWhileTraining_SpotNoticeHandsTheJobOff()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var (autoScaling, instanceId) = await CreateGroupAsync(fleet);
        await using var imds = new FakeImds(instanceId, MotoServer.FreePort());
        var worker = fleet.StartWorker("unused", new Dictionary<string, string>
        {
            ["TW_Worker__UseInstanceMetadata"] = "true", ["TW_Worker__WorkerId"] = "", ["TW_Aws__ImdsEndpoint"] = imds.Url.ToString(),
            ["TW_Worker__InstancePollInterval"] = "00:00:01",
        });
        await worker.WaitForLogAsync("polling", TimeSpan.FromSeconds(60));
        Assert.False(await autoScaling.IsProtectedFromScaleInAsync(instanceId, CancellationToken.None));
        await fleet.SubmitAsync("spot", fleet.Spec("spot", epochs: 30, slow: true));
        var running = await fleet.WaitForAsync("spot", r => r.LatestCheckpointId is not null, TimeSpan.FromMinutes(2), "checkpointed");

        Assert.Equal(instanceId, running.LeaseOwner);
        Assert.True(await autoScaling.IsProtectedFromScaleInAsync(instanceId, CancellationToken.None));
        imds.SpotAction = """{"action":"terminate","time":"2026-11-22T12:00:00Z"}""";
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var handed = (await fleet.Store.GetAsync("spot", CancellationToken.None))!;
        Assert.Equal(JobStatus.Queued, handed.Status);
        Assert.Contains("spot interruption notice: terminate", handed.Error, StringComparison.Ordinal);
        Assert.False(await autoScaling.IsProtectedFromScaleInAsync(instanceId, CancellationToken.None));
        Assert.Equal((1, 0), await fleet.QueueDepthAsync(1, 0));
    }

    [Fact]
    public async Task OnAnInstance_ScaleInTerminatingState_StopsAndCompletesTheLifecycleAction()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server, trainExamples: 100, testExamples: 10);
        var (_, instanceId) = await CreateGroupAsync(fleet);
        await using var imds = new FakeImds(instanceId, MotoServer.FreePort());
        var worker = fleet.StartWorker("unused", new Dictionary<string, string>
        {
            ["TW_Worker__UseInstanceMetadata"] = "true", ["TW_Aws__ImdsEndpoint"] = imds.Url.ToString(),
            ["TW_Worker__InstancePollInterval"] = "00:00:01", ["TW_Worker__LifecycleHookName"] = "drain",
        });
        await worker.WaitForLogAsync("polling", TimeSpan.FromSeconds(60));

        imds.LifecycleState = "Terminated";

        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Instance notice: Auto Scaling is terminating the instance", worker.Log, StringComparison.Ordinal);
        // moto does not implement CompleteLifecycleAction: its refusal shows the call was made (the adapter tests check the wire format).
        Assert.True(worker.Log.Contains("Lifecycle action drain completed", StringComparison.Ordinal)
            || worker.Log.Contains("CompleteLifecycleAction", StringComparison.Ordinal), worker.Log);
    }

    [Fact]
    public async Task Otlp_EndpointConfigured_JobSpansAndMetricsExported()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server, trainExamples: 300, testExamples: 50);
        var requests = new List<string>();
        using var collector = new HttpListener();
        var port = MotoServer.FreePort();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var collecting = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                try
                {
                    var context = await collector.GetContextAsync();
                    lock (requests) requests.Add($"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath} {context.Request.ContentType}");
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        var worker = fleet.StartWorker("worker-a", new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        await fleet.SubmitAsync("traced", fleet.Spec("traced", epochs: 1));
        Assert.Equal(JobStatus.Succeeded, (await fleet.WaitForEndAsync("traced", TimeSpan.FromMinutes(2))).Status);

        worker.Terminate();
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        collector.Stop();
        await collecting;

        // The exporters flush when the worker stops.
        lock (requests)
        {
            Assert.Contains(requests, r => r.StartsWith("POST /v1/traces application/x-protobuf", StringComparison.Ordinal));
            Assert.Contains(requests, r => r.StartsWith("POST /v1/metrics application/x-protobuf", StringComparison.Ordinal));
        }
    }

    // An Auto Scaling group of one instance in moto; the fake IMDS then answers as that instance.
    private static async Task<(AutoScalingClient Client, string InstanceId)> CreateGroupAsync(Fleet fleet)
    {
        var autoScaling = new AutoScalingClient(fleet.Connection.CreateSignedClient("autoscaling"), fleet.Connection);
        var group = fleet.Name;
        await autoScaling.SendAsync("CreateLaunchConfiguration",
            [new("LaunchConfigurationName", group), new("ImageId", "ami-12c6146b"), new("InstanceType", "g5.xlarge")], CancellationToken.None);
        await autoScaling.SendAsync("CreateAutoScalingGroup",
        [
            new("AutoScalingGroupName", group), new("LaunchConfigurationName", group), new("MinSize", "1"), new("MaxSize", "1"),
            new("DesiredCapacity", "1"), new("AvailabilityZones.member.1", "us-east-1a"),
        ], CancellationToken.None);
        var groups = await autoScaling.SendAsync("DescribeAutoScalingGroups", [new("AutoScalingGroupNames.member.1", group)], CancellationToken.None);
        return (autoScaling, groups.Descendants().First(e => e.Name.LocalName == "InstanceId").Value);
    }

}
