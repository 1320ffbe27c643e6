using Amazon.DynamoDBv2;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Aws.Tests;

/// <summary>Worker registrations and gang claims on moto's DynamoDB: the one transaction is all or nothing, fenced and conditional.</summary>
[Collection(MotoCollection.Name)]
public sealed class DynamoGangStoreTests(MotoFixture moto)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(30);

    private sealed record Stores(DynamoJobStore Jobs, DynamoWorkerRegistry Workers, DynamoGangStore Gangs, ManualTimeProvider Clock);

    [Fact]
    public async Task TwoFourNodeGangs_SixIdleWorkers_OneFormsWholeTheOtherHoldsNothing()
    {
        var s = await NewAsync();
        foreach (var w in Names(6)) await RegisterAsync(s, w);
        await s.Jobs.CreateAsync("a", "{}", CancellationToken.None);
        await s.Jobs.CreateAsync("b", "{}", CancellationToken.None);

        var a = await s.Gangs.TryFormAsync((await s.Jobs.GetAsync("a", CancellationToken.None))!, GangOf("w0", "w1", "w2", "w3"), Lease, Stale, CancellationToken.None);
        var b = await s.Gangs.TryFormAsync((await s.Jobs.GetAsync("b", CancellationToken.None))!, GangOf("w4", "w5", "w1", "w2"), Lease, Stale, CancellationToken.None);

        Assert.True(a.Formed);
        Assert.Equal(GangConflict.PeerTaken, b.Conflict);
        var workers = (await s.Workers.ListAsync(CancellationToken.None)).ToDictionary(w => w.WorkerId);
        Assert.Equal(["a"], Names(4).SelectMany(w => workers[w].Reservations.Keys).Distinct());
        Assert.Equal([1, 1], new[] { "w4", "w5" }.Select(w => workers[w].FreeSlots));
        var job = (await s.Jobs.GetAsync("a", CancellationToken.None))!;
        Assert.Equal((JobStatus.Running, "w0", 1L), (job.Status, job.LeaseOwner, job.FencingToken));
        Assert.Equal(["w0", "w1", "w2", "w3"], job.Gang!.Members);
        Assert.Equal(("10.0.0.1", 29500, 1L), (job.Gang.MasterAddress, job.Gang.MasterPort, job.Gang.FencingToken));
        Assert.Equal(2, workers["w2"].Reservations["a"].Node);
        Assert.Equal(JobStatus.Queued, (await s.Jobs.GetAsync("b", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Formation_StaleOrDrainingMember_IsRefusedAndNothingIsHeld()
    {
        var s = await NewAsync();
        await RegisterAsync(s, "w0");
        await RegisterAsync(s, "old");
        s.Clock.Advance(Stale + TimeSpan.FromSeconds(1));
        await s.Workers.BeatAsync("w0", CancellationToken.None);
        await s.Jobs.CreateAsync("j", "{}", CancellationToken.None);

        var stale = await s.Gangs.TryFormAsync((await s.Jobs.GetAsync("j", CancellationToken.None))!, GangOf("w0", "old"), Lease, Stale, CancellationToken.None);
        await RegisterAsync(s, "leaving");
        await s.Workers.DrainAsync("leaving", CancellationToken.None);
        var draining = await s.Gangs.TryFormAsync((await s.Jobs.GetAsync("j", CancellationToken.None))!, GangOf("w0", "leaving"), Lease, Stale, CancellationToken.None);

        Assert.Equal((GangConflict.PeerTaken, GangConflict.PeerTaken), (stale.Conflict, draining.Conflict));
        Assert.Empty((await s.Workers.ListAsync(CancellationToken.None)).SelectMany(w => w.Reservations.Keys));
        Assert.Equal((JobStatus.Queued, 0L), ((await s.Jobs.GetAsync("j", CancellationToken.None))!.Status, (await s.Jobs.GetAsync("j", CancellationToken.None))!.FencingToken));
    }

    [Fact]
    public async Task Formation_LeadersOwnSlotTaken_SaysSo_AndAClaimedJobSaysJobTaken()
    {
        var s = await NewAsync();
        await RegisterAsync(s, "w0");
        await RegisterAsync(s, "w1");
        await s.Jobs.CreateAsync("j", "{}", CancellationToken.None);
        var observed = (await s.Jobs.GetAsync("j", CancellationToken.None))!;
        Assert.True(await s.Workers.TryTakeSlotAsync("w0", "other", CancellationToken.None));

        var leaderTaken = await s.Gangs.TryFormAsync(observed, GangOf("w0", "w1"), Lease, Stale, CancellationToken.None);
        await s.Jobs.TryClaimFromAsync(observed, "w9", Lease, CancellationToken.None);
        var jobTaken = await s.Gangs.TryFormAsync(observed, GangOf("w1", "w0"), Lease, Stale, CancellationToken.None);

        Assert.Equal((GangConflict.LeaderTaken, GangConflict.JobTaken), (leaderTaken.Conflict, jobTaken.Conflict));
        Assert.False(await s.Workers.TryTakeSlotAsync("w0", "third", CancellationToken.None));
    }

    [Fact]
    public async Task Release_OnlyTheReservationOfThatToken_AndOnlyOnce()
    {
        var s = await NewAsync();
        await RegisterAsync(s, "w0");
        await RegisterAsync(s, "w1");
        await s.Jobs.CreateAsync("j", "{}", CancellationToken.None);
        var formed = await s.Gangs.TryFormAsync((await s.Jobs.GetAsync("j", CancellationToken.None))!, GangOf("w0", "w1"), Lease, Stale, CancellationToken.None);

        Assert.False(await s.Workers.ReleaseAsync("w1", "j", formed.Gang!.FencingToken + 1, CancellationToken.None));
        Assert.True(await s.Workers.ReleaseAsync("w1", "j", formed.Gang.FencingToken, CancellationToken.None));
        Assert.False(await s.Workers.ReleaseAsync("w1", "j", formed.Gang.FencingToken, CancellationToken.None));
        Assert.Equal(1, (await s.Workers.BeatAsync("w1", CancellationToken.None))!.FreeSlots);
    }

    [Fact]
    public async Task NodeLease_JoinsOnlyTheRunningGang_NewerGangFencesTheOldNodeOut()
    {
        var s = await NewAsync();
        await RegisterAsync(s, "w0");
        await RegisterAsync(s, "w1");
        await RegisterAsync(s, "w2");
        await s.Jobs.CreateAsync("j", "{}", CancellationToken.None);
        var first = await s.Gangs.TryFormAsync((await s.Jobs.GetAsync("j", CancellationToken.None))!, GangOf("w0", "w1"), Lease, Stale, CancellationToken.None);
        var node = (await s.Gangs.JoinAsync("j", 1, "w1", first.Gang!.FencingToken, Lease, CancellationToken.None))!;
        Assert.Null(await s.Gangs.JoinAsync("j", 1, "w1", first.Gang.FencingToken + 1, Lease, CancellationToken.None));
        await s.Gangs.RenewAsync(node, Lease, CancellationToken.None);
        Assert.True(await s.Gangs.RequestHandOffAsync("j", first.Gang.FencingToken, "w1 stops", CancellationToken.None));
        Assert.Equal("w1 stops", (await s.Jobs.GetAsync("j", CancellationToken.None))!.HandOffRequested);

        // The gang is given back and a new one formed: its node 1 takes the lease over; the old one can only fail to renew.
        await s.Jobs.FinishAsync(first.Lease!, JobStatus.Queued, new JobOutcome { Error = "handed off" }, CancellationToken.None);
        Assert.False(await s.Gangs.RequestHandOffAsync("j", first.Gang.FencingToken, "late", CancellationToken.None));
        Assert.True(await s.Workers.ReleaseAsync("w0", "j", first.Gang.FencingToken, CancellationToken.None));
        s.Clock.Advance(TimeSpan.FromSeconds(5));
        foreach (var w in new[] { "w0", "w2" }) await s.Workers.BeatAsync(w, CancellationToken.None);
        var second = await s.Gangs.TryFormAsync((await s.Jobs.GetAsync("j", CancellationToken.None))!, GangOf("w0", "w2"), Lease, Stale, CancellationToken.None);
        Assert.Null((await s.Jobs.GetAsync("j", CancellationToken.None))!.HandOffRequested);
        var taken = (await s.Gangs.JoinAsync("j", 1, "w2", second.Gang!.FencingToken, Lease, CancellationToken.None))!;

        await Assert.ThrowsAsync<LeaseLostException>(() => s.Gangs.RenewAsync(node, Lease, CancellationToken.None));
        await s.Gangs.EndAsync(node, "crashed: late", CancellationToken.None);
        await s.Gangs.EndAsync(taken, "crashed: rank 1 killed", CancellationToken.None);
        var nodes = await s.Gangs.GetNodesAsync("j", CancellationToken.None);
        var only = Assert.Single(nodes);
        Assert.Equal(("w2", second.Gang.FencingToken, "crashed: rank 1 killed"), (only.WorkerId, only.FencingToken, only.Error));
        Assert.False(only.IsAlive(s.Clock.GetUtcNow()));
    }

    private static IEnumerable<string> Names(int count) => Enumerable.Range(0, count).Select(i => $"w{i}");

    private static Gang GangOf(params string[] members) => new()
    {
        FencingToken = 0, Members = members, ProcessesPerNode = 1, MasterAddress = "10.0.0.1", MasterPort = 29500, FormedAt = DateTimeOffset.UnixEpoch,
    };

    private static Task RegisterAsync(Stores s, string worker) => s.Workers.RegisterAsync(new WorkerRegistration
    {
        WorkerId = worker, Address = "10.0.0." + worker.Length, Slots = 1, HeartbeatAt = s.Clock.GetUtcNow(),
    }, CancellationToken.None);

    private async Task<Stores> NewAsync()
    {
        var dynamo = moto.Connection().CreateClient<IAmazonDynamoDB>();
        var table = MotoFixture.RandomName("gangs");
        await JobTable.EnsureCreatedAsync(dynamo, table, CancellationToken.None);
        var clock = new ManualTimeProvider();
        return new Stores(new DynamoJobStore(dynamo, table, clock), new DynamoWorkerRegistry(dynamo, table, clock), new DynamoGangStore(dynamo, table, clock), clock);
    }
}
