using Amazon.DynamoDBv2;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class DynamoJobStoreTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly MotoFixture _moto;

    public DynamoJobStoreTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task Claim_TwoWorkersRaceFromSameObservation_ExactlyOneWins()
    {
        var (store, _) = await NewStoreAsync();
        for (var i = 0; i < 5; i++)
        {
            var jobId = $"race-{i}";
            await store.CreateAsync(jobId, "{}", CancellationToken.None);
            var observed = (await store.GetAsync(jobId, CancellationToken.None))!;

            var claims = await Task.WhenAll(
                store.TryClaimFromAsync(observed, "worker-a", Lease, CancellationToken.None),
                store.TryClaimFromAsync(observed, "worker-b", Lease, CancellationToken.None));

            var winner = Assert.Single(claims, c => c is not null)!;
            var record = (await store.GetAsync(jobId, CancellationToken.None))!;
            Assert.Equal(winner.WorkerId, record.LeaseOwner);
            Assert.Equal(1, record.FencingToken);
            Assert.Equal(1, record.Attempts);
        }
    }

    [Fact]
    public async Task Claim_ManyWorkersRacing_ExactlyOneWins()
    {
        var (store, _) = await NewStoreAsync();
        await store.CreateAsync("crowd", "{}", CancellationToken.None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(w => store.TryClaimAsync("crowd", $"worker-{w}", Lease, CancellationToken.None)));

        Assert.Single(claims, c => c is not null);
    }

    [Fact]
    public async Task StaleToken_LeaseExpiredAndTakenOver_OldWorkerRefusedEverywhere()
    {
        var (store, clock) = await NewStoreAsync();
        await store.CreateAsync("job", """{"epochs":1}""", CancellationToken.None);
        var first = (await store.TryClaimAsync("job", "worker-a", Lease, CancellationToken.None))!;
        Assert.Null(await store.TryClaimAsync("job", "worker-b", Lease, CancellationToken.None));

        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var second = (await store.TryClaimAsync("job", "worker-b", Lease, CancellationToken.None))!;

        Assert.Equal(first.FencingToken + 1, second.FencingToken);
        await Assert.ThrowsAsync<LeaseLostException>(() => store.HeartbeatAsync(first, Lease, CancellationToken.None));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.RecordCheckpointAsync(first, "e0001", CancellationToken.None));
        var e = await Assert.ThrowsAsync<LeaseLostException>(
            () => store.FinishAsync(first, JobStatus.Succeeded, new JobOutcome(), CancellationToken.None));
        Assert.False(e.IsTransient);
        var record = (await store.GetAsync("job", CancellationToken.None))!;
        Assert.Equal("worker-b", record.LeaseOwner);
        Assert.Equal(JobStatus.Running, record.Status);
        Assert.Null(record.LatestCheckpointId);
    }

    [Fact]
    public async Task Heartbeat_BeforeExpiry_ExtendsLeaseSoNoOneCanTakeOver()
    {
        var (store, clock) = await NewStoreAsync();
        await store.CreateAsync("job", "{}", CancellationToken.None);
        var lease = (await store.TryClaimAsync("job", "worker-a", Lease, CancellationToken.None))!;

        clock.Advance(TimeSpan.FromMinutes(4));
        var renewed = await store.HeartbeatAsync(lease, Lease, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(4));

        Assert.Null(await store.TryClaimAsync("job", "worker-b", Lease, CancellationToken.None));
        Assert.Equal(renewed.ExpiresAt.ToUnixTimeMilliseconds(), (await store.GetAsync("job", CancellationToken.None))!.LeaseExpiresAt!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Lifecycle_ClaimCheckpointSucceed_RecordAndHistoryComplete()
    {
        var (store, clock) = await NewStoreAsync();
        Assert.True(await store.CreateAsync("job", """{"name":"x"}""", CancellationToken.None));
        Assert.False(await store.CreateAsync("job", "{}", CancellationToken.None));
        var lease = (await store.TryClaimAsync("job", "worker-a", Lease, CancellationToken.None))!;
        clock.Advance(TimeSpan.FromSeconds(1));
        await store.RecordCheckpointAsync(lease, "e0002-s000000200", CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(1));
        await store.FinishAsync(lease, JobStatus.Succeeded, new JobOutcome
        {
            FinalMetrics = new Dictionary<string, double> { ["val_accuracy"] = 0.91 },
            ModelUri = "s3://bucket/jobs/job/model/model.pt",
        }, CancellationToken.None);

        var record = (await store.GetAsync("job", CancellationToken.None))!;
        Assert.Equal(JobStatus.Succeeded, record.Status);
        Assert.Equal("""{"name":"x"}""", record.SpecJson);
        Assert.Equal("e0002-s000000200", record.LatestCheckpointId);
        Assert.Equal(0.91, record.FinalMetrics["val_accuracy"]);
        Assert.Equal("s3://bucket/jobs/job/model/model.pt", record.ModelUri);
        Assert.Null(record.LeaseOwner);
        Assert.Null(await store.TryClaimAsync("job", "worker-b", Lease, CancellationToken.None));
        var history = await store.GetHistoryAsync("job", CancellationToken.None);
        Assert.Equal([JobStatus.Queued, JobStatus.Running, JobStatus.Succeeded], history.Select(h => h.Status));
        Assert.Equal("worker-a", history[2].WorkerId);
    }

    [Fact]
    public async Task Finish_GivenBackAsQueued_AnotherWorkerCanClaim()
    {
        var (store, _) = await NewStoreAsync();
        await store.CreateAsync("job", "{}", CancellationToken.None);
        var lease = (await store.TryClaimAsync("job", "worker-a", Lease, CancellationToken.None))!;

        await store.FinishAsync(lease, JobStatus.Queued, new JobOutcome { Error = "spot interruption" }, CancellationToken.None);
        var next = await store.TryClaimAsync("job", "worker-b", Lease, CancellationToken.None);

        Assert.NotNull(next);
        Assert.Equal(2, (await store.GetAsync("job", CancellationToken.None))!.Attempts);
    }

    [Fact]
    public async Task Cancel_QueuedJob_CancelledAtOnceAndNoLongerClaimable()
    {
        var (store, clock) = await NewStoreAsync();
        await store.CreateAsync("job", "{}", CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(JobStatus.Cancelled, await store.RequestCancelAsync("job", CancellationToken.None));

        Assert.Null(await store.TryClaimAsync("job", "worker-a", Lease, CancellationToken.None));
        var history = await store.GetHistoryAsync("job", CancellationToken.None);
        Assert.Equal([JobStatus.Queued, JobStatus.Cancelled], history.Select(h => h.Status));
        Assert.Null(await store.RequestCancelAsync("no-such-job", CancellationToken.None));
    }

    [Fact]
    public async Task Cancel_RunningJob_MarkedForItsWorkerWhoStillHoldsTheLease()
    {
        var (store, _) = await NewStoreAsync();
        await store.CreateAsync("job", "{}", CancellationToken.None);
        var lease = (await store.TryClaimAsync("job", "worker-a", Lease, CancellationToken.None))!;

        Assert.Equal(JobStatus.Running, await store.RequestCancelAsync("job", CancellationToken.None));

        var record = (await store.GetAsync("job", CancellationToken.None))!;
        Assert.True(record.CancelRequested);
        Assert.Equal(JobStatus.Running, record.Status);
        await store.FinishAsync(lease, JobStatus.Cancelled, new JobOutcome { Error = "cancelled by request" }, CancellationToken.None);
        Assert.Equal(JobStatus.Cancelled, await store.RequestCancelAsync("job", CancellationToken.None));
    }

    [Fact]
    public async Task Progress_RecordedByHolder_ReadBackAndRefusedForStaleToken()
    {
        var (store, clock) = await NewStoreAsync();
        await store.CreateAsync("job", "{}", CancellationToken.None);
        var lease = (await store.TryClaimAsync("job", "worker-a", Lease, CancellationToken.None))!;
        var progress = new JobProgress
        {
            Epoch = 2, Epochs = 5, Step = 40, Steps = 100, At = clock.GetUtcNow(),
            Metrics = new Dictionary<string, double> { ["val_accuracy"] = 0.8125, ["train_loss"] = 0.5 },
        };

        await store.RecordProgressAsync(lease, progress, CancellationToken.None);

        var read = (await store.GetAsync("job", CancellationToken.None))!.Progress!;
        Assert.Equal((2, 5, 40, 100), (read.Epoch, read.Epochs, read.Step, read.Steps));
        Assert.Equal(0.8125, read.Metrics["val_accuracy"]);
        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await store.TryClaimAsync("job", "worker-b", Lease, CancellationToken.None);
        await Assert.ThrowsAsync<LeaseLostException>(() => store.RecordProgressAsync(lease, progress, CancellationToken.None));
    }

    [Fact]
    public async Task List_NewestFirstAndLimited_SuccessClearsEarlierError()
    {
        var (store, clock) = await NewStoreAsync();
        foreach (var id in new[] { "a", "b", "c" })
        {
            await store.CreateAsync(id, "{}", CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var first = (await store.TryClaimAsync("b", "worker-a", Lease, CancellationToken.None))!;
        await store.FinishAsync(first, JobStatus.Queued, new JobOutcome { Error = "worker shut down" }, CancellationToken.None);
        var second = (await store.TryClaimAsync("b", "worker-a", Lease, CancellationToken.None))!;
        await store.FinishAsync(second, JobStatus.Succeeded, new JobOutcome(), CancellationToken.None);

        var listed = await store.ListAsync(2, CancellationToken.None);
        Assert.Equal(["c", "b"], listed.Select(j => j.JobId));
        Assert.Null(listed[1].Error);
        Assert.Equal(JobStatus.Succeeded, listed[1].Status);
    }

    private async Task<(DynamoJobStore Store, ManualTimeProvider Clock)> NewStoreAsync()
    {
        var dynamo = _moto.Connection().CreateClient<IAmazonDynamoDB>();
        var table = MotoFixture.RandomName("jobs");
        await JobTable.EnsureCreatedAsync(dynamo, table, CancellationToken.None);
        var clock = new ManualTimeProvider();
        return (new DynamoJobStore(dynamo, table, clock), clock);
    }
}
