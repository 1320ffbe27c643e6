using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Amazon.SQS.Model;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Worker.Tests;

/// <summary>
/// Multi-node jobs through the fleet, end to end: real tw-worker processes on this machine (each with its own work
/// directory, ranks meeting over Gloo on loopback) against moto, forming gangs through the job store. In the
/// <see cref="FleetCollection"/> with the other worker tests, so they never overlap on the two cores.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class MultiNodeTests(MotoFixture moto)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan CollectiveTimeout = TimeSpan.FromSeconds(20);

    // Gang settings shrunk to seconds: registrations renewed each second (stale after 3), the gang's message back after 1-2 s.
    private static readonly Dictionary<string, string> Gang = new()
    {
        ["TW_Worker__MaxNodes"] = "2", ["TW_Worker__RegistrationInterval"] = "00:00:01", ["TW_Worker__JoinTimeout"] = "00:00:40",
        ["TW_Worker__GangRetryDelay"] = "00:00:02", ["TW_Worker__GangWatchInterval"] = "00:00:01",
        ["TW_Worker__CollectiveTimeout"] = "00:00:20", ["TW_Worker__ProgressTimeout"] = "00:01:00",
    };

    private static JsonElement TwoNodes(JsonElement spec)
    {
        var node = JsonNode.Parse(spec.GetRawText())!.AsObject();
        node["resources"] = new JsonObject { ["nodes"] = 2 };
        return JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();
    }

    private static async Task<ServiceProcess[]> StartAsync(Fleet fleet, params string[] names)
    {
        var workers = names.Select(n => fleet.StartWorker(n, Gang)).ToArray();
        foreach (var w in workers) await w.WaitForLogAsync("polling", TimeSpan.FromSeconds(90));
        return workers;
    }

    [Fact]
    public async Task TwoNodeJob_EqualsOneNodeJobOfTheSameGlobalBatch_WithinTheDataParallelTolerance()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        await StartAsync(fleet, "worker-a", "worker-b");
        JsonElement Spec(string name, int batch, int nodes) => JsonDocument.Parse($$"""
            { "apiVersion": "trainingworkers/v1", "name": "{{name}}", "model": { "type": "mlp", "hidden": [32], "dropout": 0 },
              "data": { "format": "idx", "train": "{{fleet.DataUri}}", "train_limit": 2560, "validation_split": 0, "use_test_set": false },
              "training": { "epochs": 1, "batch_size": {{batch}}, "seed": 7, "threads": 1 }, "resources": { "nodes": {{nodes}} } }
            """).RootElement.Clone();
        await fleet.SubmitAsync("one", Spec("one", 64, 1));
        await fleet.SubmitAsync("two", Spec("two", 32, 2));

        var one = await fleet.WaitForEndAsync("one", JobTimeout);
        var two = await fleet.WaitForEndAsync("two", JobTimeout);

        Assert.True(one.Status == JobStatus.Succeeded, $"{one.Status} {one.Error}");
        Assert.True(two.Status == JobStatus.Succeeded, $"{two.Status} {two.Error}");
        Assert.Equal(2, two.Gang!.WorldSize);
        Assert.NotEqual(two.Gang.Members[0], two.Gang.Members[1]);
        // Both took the same 40 optimizer steps of a global batch of 64 (2560 images): one rank of 64, or two of 32.
        Assert.Equal(40, one.Progress!.Steps);
        Assert.Equal(40, two.Progress!.Steps);
        var a = await ParametersAsync(fleet, "one", Spec("one", 64, 1));
        var b = await ParametersAsync(fleet, "two", Spec("two", 32, 2));
        var difference = a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
        Assert.True(difference < 1e-5, $"max |difference| {difference}");
    }

    [Fact]
    public async Task TwoTwoNodeJobs_ThreeWorkers_RunOneAfterTheOther_NoDeadlock()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var workers = await StartAsync(fleet, "worker-a", "worker-b", "worker-c");
        await fleet.SubmitAsync("first", TwoNodes(fleet.Spec("first", epochs: 2)));
        await fleet.SubmitAsync("second", TwoNodes(fleet.Spec("second", epochs: 2)));

        var first = await fleet.WaitForEndAsync("first", JobTimeout);
        var second = await fleet.WaitForEndAsync("second", JobTimeout);

        Assert.True(first.Status == JobStatus.Succeeded, $"{first.Status} {first.Error}");
        Assert.True(second.Status == JobStatus.Succeeded, $"{second.Status} {second.Error}");
        // Only one gang of two fits on three workers: they share a worker, which served one gang and then the other,
        // and the gang that formed second waited holding nothing.
        var shared = first.Gang!.Members.Intersect(second.Gang!.Members).ToList();
        Assert.NotEmpty(shared);
        foreach (var worker in workers.Where(w => shared.Contains(w.Name)))
        {
            var (start1, end1) = Tenure(worker, "first");
            var (start2, end2) = Tenure(worker, "second");
            Assert.True(end1 < start2 || end2 < start1, $"{worker.Name} held first over lines {start1}-{end1}, second over {start2}-{end2}:\n{worker.Log}");
        }

        Assert.Contains(workers, w => w.Log.Contains("needs 2 idle workers", StringComparison.Ordinal));
        Assert.Equal((0, 0), await fleet.QueueDepthAsync(0, 0));
    }

    [Fact]
    public async Task NodeKilledMidJob_GroupStopsWithinTheCollectiveTimeout_JobFinishesFromItsCheckpointOnANewGang()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var workers = await StartAsync(fleet, "worker-a", "worker-b", "worker-c");
        await fleet.SubmitAsync("sturdy", TwoNodes(fleet.Spec("sturdy", epochs: 5, slow: true)));
        var running = await fleet.WaitForAsync("sturdy", r => r.LatestCheckpointId is not null, JobTimeout, "checkpointed");
        var member = workers.Single(w => w.Name == running.Gang!.Members[1]);

        var clock = Stopwatch.StartNew();
        member.Kill();
        var stopped = await fleet.WaitForAsync("sturdy", r => r.FencingToken != running.FencingToken || r.Status != JobStatus.Running, JobTimeout, "stopped");
        var stopTime = clock.Elapsed;
        var done = await fleet.WaitForEndAsync("sturdy", JobTimeout);

        Assert.True(stopTime < CollectiveTimeout, $"the gang stopped {stopTime} after the kill");
        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status} {done.Error}\n{string.Join("\n", workers.Select(w => w.Log))}");
        Assert.Equal(5, done.FinalMetrics["epochs_run"]);
        Assert.DoesNotContain(member.Name, done.Gang!.Members);
        Assert.True(done.FencingToken > running.FencingToken);
        var history = await fleet.Store.GetHistoryAsync("sturdy", CancellationToken.None);
        Assert.Contains(history, h => h.Status == JobStatus.Queued && h.FencingToken == running.FencingToken && h.Reason!.StartsWith("attempt 1 of 3 failed", StringComparison.Ordinal));
        Assert.Contains(workers, w => w.Log.Contains($"resuming from checkpoint {stopped.LatestCheckpointId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NodeTerminated_AsksForAHandOff_WholeJobHandedOffAndFinishedOnANewGang()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var workers = await StartAsync(fleet, "worker-a", "worker-b", "worker-c");
        await fleet.SubmitAsync("moved", TwoNodes(fleet.Spec("moved", epochs: 5, slow: true)));
        var running = await fleet.WaitForAsync("moved", r => r.LatestCheckpointId is not null, JobTimeout, "checkpointed");
        var member = workers.Single(w => w.Name == running.Gang!.Members[1]);

        member.Terminate();
        var exit = await member.WaitForExitAsync(TimeSpan.FromSeconds(45));
        Assert.True(exit == 0, $"{member.Name} exited with {exit}:\n{member.Log}");
        var done = await fleet.WaitForEndAsync("moved", JobTimeout);

        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status} {done.Error}\n{string.Join("\n", workers.Select(w => w.Log))}");
        var history = await fleet.Store.GetHistoryAsync("moved", CancellationToken.None);
        var handOff = Assert.Single(history, h => h.Status == JobStatus.Queued && h.FencingToken == running.FencingToken);
        Assert.Equal($"handed off by {running.Gang!.Members[0]}: node 1 ({member.Name}) stops: the worker is shutting down", handOff.Reason);
        Assert.Equal(0, done.FailedAttempts);
        Assert.DoesNotContain(member.Name, done.Gang!.Members);
    }

    [Fact]
    public async Task GangBiggerThanTheFleetNow_WaitsPastTheRedriveLimit_StartsWhenASecondWorkerComes()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var (first, _) = (await StartAsync(fleet, "worker-a"), 0);
        await fleet.SubmitAsync("patient", TwoNodes(fleet.Spec("patient", epochs: 1)));
        // More receives than the redrive policy allows (5): the message is renewed instead of dead-lettered.
        await first[0].WaitForLogAsync("message replaced by a fresh copy", TimeSpan.FromSeconds(90));
        Assert.Equal(JobStatus.Queued, (await fleet.Store.GetAsync("patient", CancellationToken.None))!.Status);

        await StartAsync(fleet, "worker-b");
        var done = await fleet.WaitForEndAsync("patient", JobTimeout);

        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status} {done.Error}");
        var dead = await fleet.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest(fleet.DeadLetterQueueUrl) { WaitTimeSeconds = 1 });
        Assert.Empty(dead.Messages ?? []);
    }

    /// <summary>The lines of a worker's log from its node of the job starting (formed as node 0, or joined) to that node's end.</summary>
    private static (int Start, int End) Tenure(ServiceProcess worker, string jobId)
    {
        var lines = worker.Log.Split('\n');
        var start = Array.FindIndex(lines, l => l.Contains($"Job {jobId}: gang of 2 formed", StringComparison.Ordinal) || l.Contains($"Job {jobId}: joined the gang", StringComparison.Ordinal));
        var end = Array.FindLastIndex(lines, l => l.Contains($"Job {jobId}: ", StringComparison.Ordinal)
            && (l.Contains(" s on this worker", StringComparison.Ordinal) || l.Contains(" ended (", StringComparison.Ordinal)));
        Assert.True(start >= 0 && end > start, $"{worker.Name}: no node of {jobId} started and ended:\n{worker.Log}");
        return (start, end);
    }

    private static async Task<float[]> ParametersAsync(Fleet fleet, string jobId, JsonElement specJson)
    {
        var file = Path.Combine(fleet.Directory, jobId + "-model.pt");
        using (var model = await fleet.S3.GetObjectAsync(new GetObjectRequest { BucketName = fleet.Bucket, Key = $"jobs/{jobId}/model/model.pt" }))
        {
            await model.WriteResponseStreamToFileAsync(file, append: false, CancellationToken.None);
        }

        var spec = JobSpecParser.Parse(specJson.GetRawText());
        using var built = Model.Create(ModelBuilder.Build(spec.Model, [1, 28, 28], 10, LossKind.CrossEntropy), "cpu");
        built.LoadState(await File.ReadAllBytesAsync(file));
        return built.CopyParameters();
    }
}
