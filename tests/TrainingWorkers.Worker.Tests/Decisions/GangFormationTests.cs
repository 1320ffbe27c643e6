using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>
/// Gang scheduling's decisions on the in-memory ports: all or nothing, nothing held while waiting, stale and draining
/// workers skipped, the wait renewed before the redrive policy, a job larger than the fleet refused.
/// </summary>
public sealed class GangFormationTests
{
    private readonly InMemoryFleet _fleet = new();

    private async Task<GangClaimResult> ClaimAsync(TestWorker worker, string jobId)
    {
        var record = (await _fleet.Store.GetAsync(jobId, CancellationToken.None))!;
        var holder = new MessageHolder(_fleet.Queue.Receive(jobId, InMemoryFleet.Lease), _fleet.Clock.GetUtcNow());
        var claim = await worker.Former.ClaimAsync(holder, record, JobSpecParser.Parse(record.SpecJson), worker.Slot);
        return new GangClaimResult(claim.Lease, claim.Gang, claim.Outcome);
    }

    private sealed record GangClaimResult(JobLease? Lease, Gang? Gang, string? Outcome);

    [Fact]
    public async Task TwoFourNodeJobs_SixIdleWorkers_OneGangFormsWhole_TheOtherHoldsNothingAndWaits()
    {
        var workers = Enumerable.Range(0, 6).Select(i => _fleet.Worker($"w{i}")).ToList();
        await _fleet.SubmitAsync("a", InMemoryFleet.Spec(4));
        await _fleet.SubmitAsync("b", InMemoryFleet.Spec(4));

        var claims = await Task.WhenAll(ClaimAsync(workers[0], "a"), ClaimAsync(workers[5], "b"));

        Assert.Single(claims, c => c.Gang is not null);
        // The other waits (its node 0 is idle) or goes back at once (its node 0 was taken into the first gang): either way it holds nothing.
        var other = Assert.Single(claims, c => c.Gang is null);
        Assert.Contains(other.Outcome, new[] { "gang_waiting", "slot_reserved" });
        var held = (await _fleet.WorkersAsync()).Values.SelectMany(w => w.Reservations.Keys).ToList();
        Assert.Equal(4, held.Count);
        Assert.Single(held.Distinct());
        var waitingJob = held[0] == "a" ? "b" : "a";
        Assert.Equal(JobStatus.Queued, (await _fleet.Store.GetAsync(waitingJob, CancellationToken.None))!.Status);
        Assert.Equal(other.Outcome == "gang_waiting" ? [3] : [], workers[0].Outcomes.Waiting.Concat(workers[5].Outcomes.Waiting));
    }

    [Fact]
    public async Task Formation_PublishesTheGangInTheRecord_NodeZeroIsTheReceiver_AndEveryMemberIsReserved()
    {
        var w0 = _fleet.Worker("w0");
        _fleet.Worker("w1");
        _fleet.Worker("w2");
        await _fleet.SubmitAsync("j", InMemoryFleet.Spec(3));

        var claim = await ClaimAsync(w0, "j");

        var job = (await _fleet.Store.GetAsync("j", CancellationToken.None))!;
        Assert.Equal((JobStatus.Running, "w0", 1L), (job.Status, job.LeaseOwner, job.FencingToken));
        Assert.Equal("w0", job.Gang!.Members[0]);
        Assert.Equal(["w0", "w1", "w2"], job.Gang.Members.Order());
        Assert.Equal(("10.0.0.2", 1, false), (job.Gang.MasterAddress, job.Gang.ProcessesPerNode, job.Gang.Resume));
        var workers = await _fleet.WorkersAsync();
        Assert.All(job.Gang.Members.Select((w, node) => (w, node)), m => Assert.Equal(m.node, workers[m.w].Reservations["j"].Node));
        Assert.Equal(claim.Lease!.FencingToken, workers["w2"].Reservations["j"].FencingToken);
    }

    [Fact]
    public async Task StaleAndDrainingWorkers_AreNotReserved_SoTheGangWaits()
    {
        var w0 = _fleet.Worker("w0");
        _fleet.Worker("silent");
        _fleet.Worker("leaving");
        await _fleet.Registry.DrainAsync("leaving", CancellationToken.None);
        _fleet.Clock.Advance(new WorkerOptions().RegistrationStaleAfter);
        await _fleet.BeatAsync("w0", "leaving");
        await _fleet.SubmitAsync("j", InMemoryFleet.Spec(2));

        var claim = await ClaimAsync(w0, "j");

        Assert.Equal("gang_waiting", claim.Outcome);
        Assert.Empty((await _fleet.WorkersAsync()).Values.SelectMany(w => w.Reservations.Keys));
    }

    [Fact]
    public async Task LeadersOwnSlotReservedByAnotherGang_GivesTheMessageBackAtOnce()
    {
        var w0 = _fleet.Worker("w0");
        _fleet.Worker("w1");
        await _fleet.Registry.TryTakeSlotAsync("w0", "other", CancellationToken.None);
        await _fleet.SubmitAsync("j", InMemoryFleet.Spec(2));

        var claim = await ClaimAsync(w0, "j");

        Assert.Equal("slot_reserved", claim.Outcome);
        Assert.Contains("Release j", _fleet.Queue.Calls);
        Assert.False((await _fleet.WorkersAsync())["w1"].Reservations.ContainsKey("j"));
    }

    [Fact]
    public async Task SlotReservedButNotYetSeen_TheSameWorkerReceivesTheMessageAgainAndAgain_ItIsRenewedNotDeadLettered()
    {
        // A gang reserved w0's slot; until w0's registration shows it, w0's free slot keeps receiving the job's message.
        var w0 = _fleet.Worker("w0");
        _fleet.Worker("w1");
        await _fleet.Registry.TryTakeSlotAsync("w0", "other", CancellationToken.None);
        await _fleet.SubmitAsync("j", InMemoryFleet.Spec(2));

        var outcomes = new List<string?>();
        for (var i = 0; i < 6; i++) outcomes.Add((await ClaimAsync(w0, "j")).Outcome);

        Assert.All(outcomes, o => Assert.Equal("slot_reserved", o));
        Assert.Empty(_fleet.Queue.DeadLetters);
        Assert.Contains("Complete j", _fleet.Queue.Calls);
        var message = Assert.Single(_fleet.Queue.Messages);
        Assert.True(message.ReceiveCount < 5, $"receive count {message.ReceiveCount}");
    }

    [Fact]
    public async Task GangWaitingLong_ItsMessageIsRenewedBeforeTheRedrivePolicyCouldDeadLetterIt()
    {
        var w0 = _fleet.Worker("w0");
        await _fleet.SubmitAsync("big", InMemoryFleet.Spec(4));
        var outcomes = new List<string?>();
        for (var i = 0; i < 6; i++)
        {
            _fleet.Clock.Advance(TimeSpan.FromMinutes(2));
            await _fleet.BeatAsync("w0");
            outcomes.Add((await ClaimAsync(w0, "big")).Outcome);
        }

        Assert.All(outcomes, o => Assert.Equal("gang_waiting", o));
        Assert.Empty(_fleet.Queue.DeadLetters);
        Assert.Contains("Complete big", _fleet.Queue.Calls);
        Assert.Single(_fleet.Queue.Messages);
        Assert.All(_fleet.Queue.Messages, m => Assert.True(m.ReceiveCount < 5, $"receive count {m.ReceiveCount}"));
    }

    [Fact]
    public async Task MoreNodesThanTheFleetAllows_FailsAtOnceNamingTheFieldAndTheSetting()
    {
        var w0 = _fleet.Worker("w0", o => o.MaxNodes = 2);
        await _fleet.SubmitAsync("huge", InMemoryFleet.Spec(3));

        await w0.RunAsync("huge");

        var job = (await _fleet.Store.GetAsync("huge", CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.StartsWith("invalid_input: resources.nodes: asks for 3 nodes, more than this fleet's maximum of 2 (Worker:MaxNodes", job.Error, StringComparison.Ordinal);
        Assert.Equal(0, w0.Attempts.Runs);
        Assert.Empty((await _fleet.WorkersAsync())["w0"].Reservations);
    }

    [Fact]
    public async Task MoreGpusPerNodeThanTheSlotHas_FailsAtOnceNamingTheField()
    {
        var w0 = _fleet.Worker("w0", gpus: 4);
        await _fleet.SubmitAsync("wide", InMemoryFleet.Spec(1, """, "training": { "device": "cuda" }""").Replace("\"nodes\": 1", "\"nodes\": 1, \"gpus_per_node\": 8", StringComparison.Ordinal));

        await w0.RunAsync("wide");

        Assert.StartsWith("invalid_input: resources.gpus_per_node: asks for 8 GPUs per node; this fleet's workers have 4", (await _fleet.Store.GetAsync("wide", CancellationToken.None))!.Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task GangJob_RunToTheEnd_SucceedsAndGivesBackNodeZerosSlotAndThoseOfNodesThatNeverJoined()
    {
        var w0 = _fleet.Worker("w0");
        _fleet.Worker("w1");
        await _fleet.SubmitAsync("j", InMemoryFleet.Spec(2));

        await w0.RunAsync("j");

        var job = (await _fleet.Store.GetAsync("j", CancellationToken.None))!;
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(2, w0.Attempts.Contexts.Single().Gang!.Nodes);
        Assert.Empty((await _fleet.WorkersAsync()).Values.SelectMany(w => w.Reservations.Keys));
        Assert.Equal(0, w0.Outcomes.Led);
    }

    [Fact]
    public async Task SingleNodeJob_TakesItsOwnSlotFirst_AndGivesTheMessageBackWhenAGangReservedItMeanwhile()
    {
        var w0 = _fleet.Worker("w0");
        await _fleet.Registry.TryTakeSlotAsync("w0", "gang-job", CancellationToken.None);
        await _fleet.SubmitAsync("solo", InMemoryFleet.Spec(1));

        await w0.RunAsync("solo");

        Assert.Equal(JobStatus.Queued, (await _fleet.Store.GetAsync("solo", CancellationToken.None))!.Status);
        Assert.Contains("Release solo", _fleet.Queue.Calls);
        Assert.Equal(["slot_reserved"], w0.Outcomes.Ended);
        Assert.Equal(0, w0.Attempts.Runs);
    }
}
