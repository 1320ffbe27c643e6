using TrainingWorkers.Coordinator.Tests.Simulation;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tests.Decisions;

/// <summary>
/// A coordinator that dies (or stalls) at any point of a step: the next one takes the study over when the lease runs
/// out and carries on, and no job is created twice, no trial lost or doubled.
/// </summary>
public sealed class TakeoverTests
{
    private static async Task<Scenario> SweepAsync()
    {
        var s = new Scenario();
        s.Fleet.Metrics = Sweeps.Curve;
        await s.SubmitAsync(Sweeps.Request(""", "search": { "method": "random", "seed": 3 }"""));
        return s;
    }

    private static async Task AssertNothingLostOrDoubledAsync(Scenario s, StudyRecord study)
    {
        Assert.Equal(StudyStatus.Succeeded, study.Status);
        var state = await s.StateAsync();
        Assert.Equal(Enumerable.Range(0, 8), state.Trials.Select(t => t.Number));
        Assert.Equal(8, state.Trials.Select(t => t.JobId).Distinct().Count());
        Assert.All(state.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        var creations = await s.CreationsAsync();
        Assert.Equal(8, creations.Count);
        Assert.All(creations, c => Assert.Equal(1, c.Value));
        Assert.Contains(await s.Studies.GetHistoryAsync("s1", CancellationToken.None), h => h.OwnerId == "c2" && h.Reason == "lease taken over from c1");
    }

    [Fact]
    public async Task DiesAfterWritingItsDecisionsBeforeSubmitting_NextCoordinatorSubmitsEachJobOnce()
    {
        using var s = await SweepAsync();
        var first = s.Coordinator("c1");
        await s.RunAsync(first, turns: 4);
        // From now on no job record can be written: the first step that decides a new trial stops after saving its
        // decisions, and c1 is never heard of again.
        s.Jobs.FailNext(op => op == "CreateAsync" ? new InvalidOperationException("killed") : null);
        for (var i = 0; i < 50 && (await s.StateAsync()).Trials.All(t => t.Submitted); i++)
        {
            await first();
            await s.Fleet.TickAsync();
            s.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        s.Jobs.FailNext(null);
        Assert.Contains((await s.StateAsync()).Trials, t => !t.Submitted);

        s.Clock.Advance(Scenario.Lease);
        await AssertNothingLostOrDoubledAsync(s, await s.RunAsync(s.Coordinator("c2")));
    }

    [Fact]
    public async Task DiesAfterSubmittingBeforeMarkingIt_NextCoordinatorQueuesTheMessagesAgainButCreatesNothingTwice()
    {
        using var s = await SweepAsync();
        var first = s.Coordinator("c1");
        // The first step's second save (the one that marks the jobs submitted) never happens.
        var saves = 0;
        s.Studies.FailNext(op => op == "SaveStateAsync" && ++saves == 2 ? new InvalidOperationException("killed") : null);
        await first();
        s.Studies.FailNext(null);
        Assert.Equal(2, (await s.Jobs.ListAsync(10, CancellationToken.None)).Count);
        Assert.All((await s.StateAsync()).Trials, t => Assert.False(t.Submitted));

        s.Clock.Advance(Scenario.Lease);
        await AssertNothingLostOrDoubledAsync(s, await s.RunAsync(s.Coordinator("c2")));
        // The messages of the two jobs were sent again (a duplicate message is harmless: the job's record is created once).
        Assert.Equal(2, s.Queue.Calls.Count(c => c == "Submit s1-t000"));
    }

    [Fact]
    public async Task StalledPastItsLease_TakenOver_TheStalledOneWritesAndSubmitsNothing()
    {
        using var s = await SweepAsync();
        var first = s.Coordinator("c1");
        await s.RunAsync(first, turns: 6);
        s.Clock.Advance(Scenario.Lease);
        var second = s.Coordinator("c2");
        await second();
        var jobs = (await s.Jobs.ListAsync(100, CancellationToken.None)).Count;
        var saves = s.Studies.Saves["s1"];

        await first();

        Assert.Equal(jobs, (await s.Jobs.ListAsync(100, CancellationToken.None)).Count);
        Assert.Equal(saves, s.Studies.Saves["s1"]);
        await AssertNothingLostOrDoubledAsync(s, await s.RunAsync(second));
    }

    [Fact]
    public async Task QueueRefusesAJobsMessage_ItsRecordIsCancelled_TheTrialRunsUnderANewId()
    {
        using var s = await SweepAsync();
        // The first message sent (trial 0's) is refused.
        var refused = false;
        s.Queue.FailNext(op => op == "SubmitAsync" && !refused && (refused = true) ? new InvalidOperationException("queue unreachable") : null);

        var study = await s.RunAsync(s.Coordinator("c1"));

        Assert.Equal(StudyStatus.Succeeded, study.Status);
        var trial = (await s.StateAsync()).Trials[0];
        Assert.Equal(("s1-t000-r1", 1, TrialStatus.Completed), (trial.JobId, trial.Resubmissions, trial.Status));
        Assert.Equal(Core.Jobs.JobStatus.Cancelled, (await s.Jobs.GetAsync("s1-t000", CancellationToken.None))!.Status);
    }
}
