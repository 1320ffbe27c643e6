using System.Diagnostics;
using System.Text.Json;
using Amazon.SQS.Model;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker.Tests;

/// <summary>
/// The worker service end to end: real tw-worker processes (which start real tw ranks training on libtorch)
/// against moto's SQS, S3, DynamoDB and CloudWatch, with leases short enough that takeovers take seconds.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class EndToEndTests(MotoFixture moto)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ThreeJobsAndAPoisonSpec_TwoWorkers_ValidOnesSucceedPoisonFailsQueueEmptiesMetricsReadBack()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        fleet.StartWorker("worker-a");
        fleet.StartWorker("worker-b");
        await fleet.SubmitAsync("job-1", fleet.Spec("one", epochs: 2));
        await fleet.SubmitAsync("job-2", fleet.Spec("two", epochs: 2));
        // The third as a user of the AWS CLI would send it: no record, just the envelope on the queue.
        var body = JsonSerializer.Serialize(new { version = 1, job_id = "job-3", spec = fleet.Spec("three", epochs: 2) });
        await AwsCliAsync(fleet.Moto.Url, "sqs", "send-message", "--queue-url", fleet.QueueUrl, "--message-body", body);
        var poison = JsonDocument.Parse("""{ "apiVersion": "trainingworkers/v1", "name": "bad", "model": { "type": "mlp" }, "data": { "train": "x" }, "training": { "learning_rate": -0.1 } }""").RootElement;
        await fleet.SubmitAsync("job-bad", poison);

        foreach (var id in new[] { "job-1", "job-2", "job-3" })
        {
            var done = await fleet.WaitForEndAsync(id, JobTimeout);
            Assert.True(done.Status == JobStatus.Succeeded, $"{id}: {done.Status} {done.Error}");
            Assert.Equal($"s3://{fleet.Bucket}/jobs/{id}/model/model.pt", done.ModelUri);
            Assert.InRange(done.FinalMetrics["test_accuracy"], 0.3, 1.0);
            Assert.NotNull((await fleet.S3.GetObjectMetadataAsync(fleet.Bucket, $"jobs/{id}/model/model.pt")).ETag);
        }

        var bad = await fleet.WaitForEndAsync("job-bad", JobTimeout);
        Assert.Equal(JobStatus.Failed, bad.Status);
        Assert.Contains("training.learning_rate: must be > 0, got -0.1", bad.Error, StringComparison.Ordinal);
        Assert.Equal((0, 0), await fleet.QueueDepthAsync(0, 0));

        var client = new CloudWatchClient(fleet.Connection.CreateSignedClient("monitoring"), fleet.Connection);
        var metric = new MetricId("TrainingWorkers", "val_accuracy", new MetricDimensions { JobId = "job-1", JobName = "one", Model = "mlp" }.ToCloudWatch(perRank: false));
        var results = await client.GetMetricDataAsync([new MetricDataQuery("q", new MetricStat(metric, 60, "SampleCount"))],
            DateTimeOffset.UtcNow.AddMinutes(-15), DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);
        Assert.Equal(2, results.Single().Values!.Sum());
    }

    [Fact]
    public async Task WorkerKilledMidJob_OtherWorkerTakesOverAfterLeaseAndResumesFromNewestCheckpoint()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var first = await fleet.StartTrainingAsync("worker-a", "long", epochs: 6);

        first.Kill();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var newest = (await fleet.Store.GetAsync("long", CancellationToken.None))!.LatestCheckpointId!;
        var second = fleet.StartWorker("worker-b");

        var done = await fleet.WaitForEndAsync("long", JobTimeout);
        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status} {done.Error}\n{second.Log}");
        Assert.Equal(6, done.FinalMetrics["epochs_run"]);
        // Resumed from the newest durable checkpoint: nothing before it was trained twice.
        Assert.Contains($"resuming from checkpoint {newest}", second.Log, StringComparison.Ordinal);
        var history = await fleet.Store.GetHistoryAsync("long", CancellationToken.None);
        Assert.Contains(history, h => h.Status == JobStatus.Running && h.WorkerId == "worker-b" && h.Reason == "lease taken over");
    }

    [Fact]
    public async Task WorkerPausedPastItsLease_TakenOver_OldWorkerStopsWithoutWritingAnything()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var first = await fleet.StartTrainingAsync("worker-a", "fenced", epochs: 12);
        first.Pause();
        var second = fleet.StartWorker("worker-b");
        await fleet.WaitForAsync("fenced", r => r.LeaseOwner == "worker-b", JobTimeout, "taken over by worker-b");
        var takenOver = (await fleet.Store.GetAsync("fenced", CancellationToken.None))!;

        first.Resume();
        await first.WaitForLogAsync("Job fenced: another worker holds the lease now; stopped without writing", TimeSpan.FromSeconds(60));
        var done = await fleet.WaitForEndAsync("fenced", JobTimeout);

        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status} {done.Error}\n{second.Log}");
        Assert.Equal(takenOver.FencingToken, done.FencingToken);
        var history = await fleet.Store.GetHistoryAsync("fenced", CancellationToken.None);
        // worker-a's only entry is its claim: no hand-off, failure or outcome written after it lost the lease.
        Assert.Equal([JobStatus.Running], history.Where(h => h.WorkerId == "worker-a").Select(h => h.Status));
        Assert.Single(history, h => h.Status == JobStatus.Succeeded && h.WorkerId == "worker-b");
        Assert.DoesNotContain("Job fenced: checkpoint", first.Log[first.Log.LastIndexOf("another worker holds the lease", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerTerminated_CheckpointsHandsOffAndExitsInBound_OtherWorkerFinishes()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var first = await fleet.StartTrainingAsync("worker-a", "moved", epochs: 6);

        var clock = Stopwatch.StartNew();
        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(45)));
        var handOff = clock.Elapsed;
        var handed = (await fleet.Store.GetAsync("moved", CancellationToken.None))!;
        Assert.Equal(JobStatus.Queued, handed.Status);
        Assert.StartsWith("handed off by worker-a", handed.Error, StringComparison.Ordinal);
        Assert.True(handOff < TimeSpan.FromSeconds(30), $"hand-off took {handOff}");

        var second = fleet.StartWorker("worker-b");
        var done = await fleet.WaitForEndAsync("moved", JobTimeout);
        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status} {done.Error}\n{second.Log}");
        Assert.Contains($"resuming from checkpoint {handed.LatestCheckpointId}", second.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobFailingEveryAttempt_EndsFailedWithReasonAndItsMessageInTheDeadLetterQueue()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        // A rank program that crashes at once, as a broken driver or a bad image would make it.
        var crash = Path.Combine(fleet.Directory, "crash.sh");
        await File.WriteAllTextAsync(crash, "#!/bin/sh\necho 'CUDA error: an illegal memory access was encountered' >&2\nexit 1\n");
        File.SetUnixFileMode(crash, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        fleet.StartWorker("worker-a", new Dictionary<string, string>
        {
            ["TW_Worker__TwExecutable"] = crash, ["TW_Worker__MaxAttempts"] = "2", ["TW_Worker__MaxRankRestarts"] = "0",
        });
        await fleet.SubmitAsync("doomed", fleet.Spec("doomed", epochs: 1));

        var done = await fleet.WaitForEndAsync("doomed", JobTimeout);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("failed 2 of 2 attempts", done.Error, StringComparison.Ordinal);
        Assert.Contains("exited with code 1", done.Error, StringComparison.Ordinal);
        var dead = await fleet.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest(fleet.DeadLetterQueueUrl) { WaitTimeSeconds = 5, MessageAttributeNames = ["All"] });
        var message = Assert.Single(dead.Messages);
        Assert.Equal("doomed", JobMessageCodec.Decode(message.Body, JobMessage.MaxBytes).Job!.JobId);
        Assert.Contains("exited with code 1", message.MessageAttributes["tw-reason"].StringValue, StringComparison.Ordinal);
        Assert.Equal((0, 0), await fleet.QueueDepthAsync(0, 0));
    }

    [Fact]
    public async Task CancelRunningJob_CancelledWithinAHeartbeatAndNoCheckpointsAfter()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var worker = await fleet.StartTrainingAsync("worker-a", "unwanted", epochs: 30);

        var clock = Stopwatch.StartNew();
        Assert.Equal(JobStatus.Running, await fleet.Store.RequestCancelAsync("unwanted", CancellationToken.None));
        var done = await fleet.WaitForEndAsync("unwanted", TimeSpan.FromSeconds(60));
        var took = clock.Elapsed;

        Assert.Equal(JobStatus.Cancelled, done.Status);
        // Noticed at the next heartbeat (0.7 x 6 s), then the ranks checkpoint and stop.
        Assert.True(took < TimeSpan.FromSeconds(4.2 + 15), $"cancel took {took}");
        await worker.WaitForLogAsync("Job unwanted: cancelled", TimeSpan.FromSeconds(10));
        var checkpoints = await fleet.CheckpointIdsAsync("unwanted");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(checkpoints, await fleet.CheckpointIdsAsync("unwanted"));
        Assert.Equal(done.LatestCheckpointId, (await fleet.Store.GetAsync("unwanted", CancellationToken.None))!.LatestCheckpointId);
        Assert.True(done.Progress!.Epoch < 30, $"it ran to the end: epoch {done.Progress.Epoch}");
    }

    [Fact]
    public async Task JobOutlivingTheMessage_FreshCopyQueuedOldDeleted_JobSucceedsAndQueueEmpties()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        // SQS's 12-hour visibility cap, shrunk: the message is replaced after 8 s (at the second heartbeat, 8.4 s) of a job that trains for longer.
        var worker = fleet.StartWorker("worker-a", new Dictionary<string, string> { ["TW_Worker__MessageRenewAfter"] = "00:00:08" });
        await fleet.SubmitAsync("marathon", fleet.Spec("marathon", epochs: 16, slow: true));

        var done = await fleet.WaitForEndAsync("marathon", JobTimeout);

        Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status} {done.Error}\n{worker.Log}");
        Assert.Contains("Job marathon: message replaced by a fresh copy", worker.Log, StringComparison.Ordinal);
        Assert.Equal(1, done.Attempts);
        // The copy comes back once the job is done, and is deleted as a duplicate of a finished job.
        await worker.WaitForLogAsync("Job marathon is Succeeded: duplicate message deleted", TimeSpan.FromSeconds(30));
        Assert.Equal((0, 0), await fleet.QueueDepthAsync(0, 0));
    }

    [Fact]
    public async Task TwoJobSlots_TwoJobsTrainSideBySide_BothSucceed()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var worker = fleet.StartWorker("worker-a", new Dictionary<string, string> { ["TW_Worker__MaxConcurrentJobs"] = "2" });
        await worker.WaitForLogAsync("2 job slot(s)", TimeSpan.FromSeconds(60));
        await fleet.SubmitAsync("left", fleet.Spec("left", epochs: 8, slow: true));
        await fleet.SubmitAsync("right", fleet.Spec("right", epochs: 8, slow: true));

        // Both running at once on the one worker: each slot has its own ranks and TCPStore port.
        await fleet.WaitForAsync("left", r => r.Status == JobStatus.Running && r.Progress is not null, JobTimeout, "running");
        var right = await fleet.WaitForAsync("right", r => r.Status == JobStatus.Running && r.Progress is not null, JobTimeout, "running");
        var left = (await fleet.Store.GetAsync("left", CancellationToken.None))!;

        Assert.Equal(JobStatus.Running, left.Status);
        Assert.Equal(("worker-a", "worker-a"), (left.LeaseOwner, right.LeaseOwner));
        Assert.Contains("slot 0)", worker.Log, StringComparison.Ordinal);
        Assert.Contains("slot 1)", worker.Log, StringComparison.Ordinal);
        foreach (var id in new[] { "left", "right" })
        {
            var done = await fleet.WaitForEndAsync(id, JobTimeout);
            Assert.True(done.Status == JobStatus.Succeeded, $"{id}: {done.Status} {done.Error}\n{worker.Log}");
        }
    }

    [Fact]
    public async Task MaxRuntimeExceeded_StoppedAndFailedWithThatReason()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        fleet.StartWorker("worker-a");
        await fleet.SubmitAsync("overtime", fleet.Spec("overtime", epochs: 200, slow: true, extraTraining: ", \"max_runtime_seconds\": 4"));

        var done = await fleet.WaitForEndAsync("overtime", JobTimeout);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal("training.max_runtime_seconds: stopped after 4 s", done.Error);
        Assert.True(done.Progress!.Epoch < 200, $"it ran to the end: epoch {done.Progress.Epoch}");
        Assert.Equal((0, 0), await fleet.QueueDepthAsync(0, 0));
    }

    private static async Task AwsCliAsync(Uri endpoint, params string[] args)
    {
        var info = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--endpoint-url");
        info.ArgumentList.Add(endpoint.ToString());
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        using var aws = Process.Start(info)!;
        var stderr = aws.StandardError.ReadToEndAsync();
        await aws.WaitForExitAsync();
        Assert.True(aws.ExitCode == 0, $"aws {string.Join(' ', args)}: {await stderr}");
    }
}
