using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>A gang's node other than 0, started from its reservation: joins only its gang, says how it ended, asks for a hand-off before it stops.</summary>
public sealed class GangMemberTests
{
    private readonly InMemoryFleet _fleet = new();
    private readonly TestWorker _w0;
    private readonly TestWorker _w1;

    public GangMemberTests()
    {
        _w0 = _fleet.Worker("w0");
        _w1 = _fleet.Worker("w1");
    }

    private async Task<Reservation> FormAsync()
    {
        await _fleet.SubmitAsync("j", InMemoryFleet.Spec(2));
        var record = (await _fleet.Store.GetAsync("j", CancellationToken.None))!;
        var holder = new MessageHolder(_fleet.Queue.Receive("j", InMemoryFleet.Lease), _fleet.Clock.GetUtcNow());
        var claim = await _w0.Former.ClaimAsync(holder, record, JobSpecParser.Parse(record.SpecJson), _w0.Slot);
        Assert.NotNull(claim.Gang);
        return (await _fleet.WorkersAsync())["w1"].Reservations["j"];
    }

    [Fact]
    public async Task Reservation_Joined_TrainsAsItsNodeAgainstNodeZero_EndsWell_AndGivesItsSlotBack()
    {
        var reservation = await FormAsync();

        await _w1.Member.RunAsync(reservation, _w1.Slot, CancellationToken.None);

        var context = Assert.Single(_w1.NodeAttempts.Contexts);
        Assert.Equal((1, "10.0.0.2", 2), (context.Node, context.Gang.MasterAddress, context.Gang.WorldSize));
        var node = Assert.Single(await _fleet.Gangs.GetNodesAsync("j", CancellationToken.None));
        Assert.Equal(("w1", reservation.FencingToken, (string?)null), (node.WorkerId, node.FencingToken, node.Error));
        Assert.NotNull(node.EndedAt);
        Assert.Empty((await _fleet.WorkersAsync())["w1"].Reservations);
    }

    [Fact]
    public async Task NodeWithoutTwToStartRanks_IsTheWorkersFault_AsksForAHandOff_WritesNoFailure_StopsTheWorkerFatally()
    {
        var reservation = await FormAsync();
        _w1.NodeAttempts.Next = _ => new AttemptEnd { Error = new WorkerConfigurationException("Worker:TwExecutable: no tw found") };

        await _w1.Member.RunAsync(reservation, _w1.Slot, CancellationToken.None);

        var record = (await _fleet.Store.GetAsync("j", CancellationToken.None))!;
        Assert.Equal("node 1 (w1) stops: Worker:TwExecutable: no tw found", record.HandOffRequested);
        Assert.Null(Assert.Single(await _fleet.Gangs.GetNodesAsync("j", CancellationToken.None)).Error);
        Assert.Equal(WorkerState.FatalExitCode, _w1.State.ExitCode);
    }

    [Fact]
    public async Task StaleReservation_TheJobMovedOn_IsReleasedWithoutJoiningOrTraining()
    {
        var reservation = await FormAsync();
        var lease = new JobLease("j", "w0", reservation.FencingToken, _fleet.Clock.GetUtcNow().AddMinutes(1));
        await _fleet.Store.FinishAsync(lease, JobStatus.Queued, new JobOutcome { Error = "handed off" }, CancellationToken.None);

        await _w1.Member.RunAsync(reservation, _w1.Slot, CancellationToken.None);

        Assert.Empty(_w1.NodeAttempts.Contexts);
        Assert.Empty(await _fleet.Gangs.GetNodesAsync("j", CancellationToken.None));
        Assert.Empty((await _fleet.WorkersAsync())["w1"].Reservations);
    }

    [Fact]
    public async Task WorkerStopsWhileTraining_AsksNodeZeroForAHandOffBeforeItsRanksStop()
    {
        var reservation = await FormAsync();
        _w1.NodeAttempts.Gate = new TaskCompletionSource();
        string? requestedWhenStopped = null;
        _w1.NodeAttempts.Next = _ => new AttemptEnd();
        using var shutdown = new CancellationTokenSource();
        _w1.State.RequestStop("spot interruption notice");

        var run = _w1.Member.RunAsync(reservation, _w1.Slot, shutdown.Token);
        await _w1.NodeAttempts.Started.Task;
        var context = _w1.NodeAttempts.Contexts.Single();
        context.Stop.Token.Register(() => requestedWhenStopped = _fleet.Store.GetAsync("j", CancellationToken.None).Result!.HandOffRequested);
        await shutdown.CancelAsync();
        await run;

        Assert.Equal("node 1 (w1) stops: spot interruption notice", requestedWhenStopped);
        var node = Assert.Single(await _fleet.Gangs.GetNodesAsync("j", CancellationToken.None));
        Assert.Null(node.Error);
        Assert.Empty((await _fleet.WorkersAsync())["w1"].Reservations);
    }

    [Fact]
    public async Task WorkerStoppedBeforeJoining_AsksForTheHandOffAndNeverJoins()
    {
        var reservation = await FormAsync();
        _w1.State.RequestStop("SIGTERM");

        await _w1.Member.RunAsync(reservation, _w1.Slot, new CancellationToken(canceled: true));

        Assert.Equal("node 1 (w1) stopped before it joined: SIGTERM", (await _fleet.Store.GetAsync("j", CancellationToken.None))!.HandOffRequested);
        Assert.Empty(await _fleet.Gangs.GetNodesAsync("j", CancellationToken.None));
        Assert.Empty(_w1.NodeAttempts.Contexts);
    }

    [Fact]
    public async Task NodesOwnFailure_IsRecordedOnItsLease_ForNodeZeroToStopAndJudge()
    {
        var reservation = await FormAsync();
        _w1.NodeAttempts.Next = _ => new AttemptEnd { Error = new JobInputException("data.train", "s3://b/x: cannot be fetched: nothing is there") };

        await _w1.Member.RunAsync(reservation, _w1.Slot, CancellationToken.None);

        var node = Assert.Single(await _fleet.Gangs.GetNodesAsync("j", CancellationToken.None));
        Assert.StartsWith("invalid_input: data.train: s3://b/x", node.Error, StringComparison.Ordinal);
        var record = (await _fleet.Store.GetAsync("j", CancellationToken.None))!;
        var trouble = Worker.Gangs.GangHealth.Check(record.Gang!, 0, record, [node], _fleet.Clock.GetUtcNow(), _fleet.Clock.GetUtcNow().AddMinutes(1), TimeSpan.FromMinutes(1))!;
        Assert.Equal(FailureKind.InvalidInput, trouble.Failure!.Kind);
    }

    [Fact]
    public async Task RanksStoppedByAnotherNodesRequest_AreNotReportedAsThisNodesFailure()
    {
        var reservation = await FormAsync();
        _w1.NodeAttempts.Next = _ =>
        {
            _fleet.Gangs.RequestHandOffAsync("j", reservation.FencingToken, "node 2 stops", CancellationToken.None).GetAwaiter().GetResult();
            return new AttemptEnd { Launch = new LaunchResult { Succeeded = false, Failure = new RankFailure(1, JobFailure.Of(FailureKind.Crashed, "exited with code 130")) } };
        };

        await _w1.Member.RunAsync(reservation, _w1.Slot, CancellationToken.None);

        Assert.Null(Assert.Single(await _fleet.Gangs.GetNodesAsync("j", CancellationToken.None)).Error);
    }
}
