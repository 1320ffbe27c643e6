using Amazon.DynamoDBv2;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Aws.Tests;

/// <summary>Studies and per-epoch metrics in the jobs table, on moto: fenced writes, takeovers, the index, cancels.</summary>
[Collection(MotoCollection.Name)]
public sealed class DynamoStudyStoreTests(MotoFixture moto)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Claim_ManyCoordinatorsRacing_ExactlyOneWins_IndexAndHistorySayRunning()
    {
        var (studies, _, _) = await NewStoresAsync();
        Assert.True(await studies.CreateAsync("s1", StudyKinds.Tune, "sweep", "{}", CancellationToken.None));
        Assert.False(await studies.CreateAsync("s1", StudyKinds.Tune, "sweep", "{}", CancellationToken.None));

        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(c => studies.TryClaimAsync("s1", $"coord-{c}", Lease, CancellationToken.None)));

        var winner = Assert.Single(claims, c => c is not null)!;
        var record = (await studies.GetAsync("s1", CancellationToken.None))!;
        Assert.Equal((StudyStatus.Running, winner.OwnerId, 1L, 1), (record.Status, record.LeaseOwner, record.FencingToken, record.Claims));
        Assert.Equal(StudyStatus.Running, Assert.Single(await studies.ListOpenAsync(CancellationToken.None)).Status);
        Assert.Equal([StudyStatus.Queued, StudyStatus.Running], (await studies.GetHistoryAsync("s1", CancellationToken.None)).Select(h => h.Status));
    }

    [Fact]
    public async Task LeaseRunsOut_AnotherCoordinatorTakesOver_TheFirstCanWriteNothing()
    {
        var (studies, _, clock) = await NewStoresAsync();
        await studies.CreateAsync("s1", StudyKinds.FineTune, "pipe", "{}", CancellationToken.None);
        var first = (await studies.TryClaimAsync("s1", "coord-a", Lease, CancellationToken.None))!;
        await studies.SaveStateAsync(first, """{"steps":1}""", CancellationToken.None);
        Assert.Null(await studies.TryClaimAsync("s1", "coord-b", Lease, CancellationToken.None));

        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var second = (await studies.TryClaimAsync("s1", "coord-b", Lease, CancellationToken.None))!;

        Assert.Equal(first.FencingToken + 1, second.FencingToken);
        await Assert.ThrowsAsync<StudyLeaseLostException>(() => studies.SaveStateAsync(first, """{"steps":99}""", CancellationToken.None));
        await Assert.ThrowsAsync<StudyLeaseLostException>(() => studies.HeartbeatAsync(first, Lease, CancellationToken.None));
        await Assert.ThrowsAsync<StudyLeaseLostException>(() => studies.FinishAsync(first, StudyStatus.Failed, null, "x", CancellationToken.None));
        var record = (await studies.GetAsync("s1", CancellationToken.None))!;
        Assert.Equal(("""{"steps":1}""", 2), (record.StateJson, record.Claims));
        Assert.Contains(await studies.GetHistoryAsync("s1", CancellationToken.None), h => h.OwnerId == "coord-b" && h.Reason == "lease taken over from coord-a");
    }

    [Fact]
    public async Task Release_LetsAnotherCoordinatorClaimAtOnce()
    {
        var (studies, _, _) = await NewStoresAsync();
        await studies.CreateAsync("s1", StudyKinds.Tune, "sweep", "{}", CancellationToken.None);
        var first = (await studies.TryClaimAsync("s1", "coord-a", Lease, CancellationToken.None))!;

        await studies.ReleaseAsync(first, CancellationToken.None);

        Assert.NotNull(await studies.TryClaimAsync("s1", "coord-b", Lease, CancellationToken.None));
    }

    [Fact]
    public async Task Finish_WritesResultAndStatus_IndexListsItNoLongerOpen()
    {
        var (studies, _, clock) = await NewStoresAsync();
        await studies.CreateAsync("old", StudyKinds.Tune, "a", "{}", CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(1));
        await studies.CreateAsync("new", StudyKinds.FineTune, "b", "{}", CancellationToken.None);
        var lease = (await studies.TryClaimAsync("old", "coord-a", Lease, CancellationToken.None))!;

        await studies.FinishAsync(lease, StudyStatus.Succeeded, """{"best":"trial 3"}""", null, CancellationToken.None);

        var record = (await studies.GetAsync("old", CancellationToken.None))!;
        Assert.Equal((StudyStatus.Succeeded, """{"best":"trial 3"}""", null), (record.Status, record.ResultJson, record.LeaseOwner));
        Assert.Equal(["new"], (await studies.ListOpenAsync(CancellationToken.None)).Select(s => s.StudyId));
        Assert.Equal([("new", StudyStatus.Queued), ("old", StudyStatus.Succeeded)], (await studies.ListAsync(10, CancellationToken.None)).Select(s => (s.StudyId, s.Status)));
    }

    [Fact]
    public async Task Cancel_QueuedEndsAtOnce_RunningIsMarkedForItsCoordinator_UnknownIsNull()
    {
        var (studies, _, _) = await NewStoresAsync();
        await studies.CreateAsync("queued", StudyKinds.Tune, "a", "{}", CancellationToken.None);
        await studies.CreateAsync("running", StudyKinds.Tune, "b", "{}", CancellationToken.None);
        await studies.TryClaimAsync("running", "coord-a", Lease, CancellationToken.None);

        Assert.Equal(StudyStatus.Cancelled, await studies.RequestCancelAsync("queued", CancellationToken.None));
        Assert.Equal(StudyStatus.Running, await studies.RequestCancelAsync("running", CancellationToken.None));
        Assert.Null(await studies.RequestCancelAsync("nothing", CancellationToken.None));
        Assert.True((await studies.GetAsync("running", CancellationToken.None))!.CancelRequested);
        Assert.Equal(["running"], (await studies.ListOpenAsync(CancellationToken.None)).Select(s => s.StudyId));
    }

    [Fact]
    public async Task Epochs_EachItsOwnItem_FencedByTheJobsLease_ResumedAttemptReplacesAnEpoch()
    {
        var (_, jobs, clock) = await NewStoresAsync();
        await jobs.CreateAsync("job", "{}", CancellationToken.None);
        var first = (await jobs.TryClaimAsync("job", "worker-a", Lease, CancellationToken.None))!;
        await jobs.RecordEpochAsync(first, 1, new Dictionary<string, double> { ["val_accuracy"] = 0.5, ["val_roc_auc"] = double.NaN }, CancellationToken.None);
        await jobs.RecordEpochAsync(first, 2, new Dictionary<string, double> { ["val_accuracy"] = 0.6 }, CancellationToken.None);

        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var second = (await jobs.TryClaimAsync("job", "worker-b", Lease, CancellationToken.None))!;
        await Assert.ThrowsAsync<LeaseLostException>(() => jobs.RecordEpochAsync(first, 3, new Dictionary<string, double> { ["val_accuracy"] = 0.9 }, CancellationToken.None));
        await jobs.RecordEpochAsync(second, 2, new Dictionary<string, double> { ["val_accuracy"] = 0.65 }, CancellationToken.None);

        var epochs = await jobs.GetEpochsAsync("job", CancellationToken.None);
        Assert.Equal([(1, 0.5), (2, 0.65)], epochs.Select(e => (e.Epoch, e.Metrics["val_accuracy"])));
        Assert.False(epochs[0].Metrics.ContainsKey("val_roc_auc"));
        // The epochs are items beside the record: the job's history and its listing are unchanged by them.
        Assert.Equal(["job"], (await jobs.ListAsync(10, CancellationToken.None)).Select(j => j.JobId));
        Assert.Equal([JobStatus.Queued, JobStatus.Running, JobStatus.Running], (await jobs.GetHistoryAsync("job", CancellationToken.None)).Select(h => h.Status));
    }

    private async Task<(DynamoStudyStore Studies, DynamoJobStore Jobs, ManualTimeProvider Clock)> NewStoresAsync()
    {
        var dynamo = moto.Connection().CreateClient<IAmazonDynamoDB>();
        var table = MotoFixture.RandomName("studies");
        await JobTable.EnsureCreatedAsync(dynamo, table, CancellationToken.None);
        var clock = new ManualTimeProvider();
        return (new DynamoStudyStore(dynamo, table, clock), new DynamoJobStore(dynamo, table, clock), clock);
    }
}
