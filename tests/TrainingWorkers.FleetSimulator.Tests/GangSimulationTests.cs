namespace TrainingWorkers.FleetSimulator.Tests;

/// <summary>Multi-node jobs in the model: the two placements, a gang's demand in the scaling metric, a gang's hand-off.</summary>
public sealed class GangSimulationTests
{
    private static SimJob Job(int id, int nodes) => new(id, new JobArrival(0, 600, nodes));

    private static List<SimInstance> Idle(int count) => Enumerable.Range(0, count).Select(i => new SimInstance(i, Market.OnDemand, 0)).ToList();

    [Fact]
    public void AllOrNothing_TwoFourNodeJobsOnSixWorkers_FirstTakesFour_SecondHoldsNothing_SmallerOneBehindBackfills()
    {
        var pairs = new GangDispatcher().Dispatch([Job(0, 4), Job(1, 4), Job(2, 2)], Idle(6));

        Assert.Equal([0, 0, 0, 0, 2, 2], pairs.Select(p => p.Job.Id));
        Assert.Equal(6, pairs.Select(p => p.Worker).Distinct().Count());
    }

    [Fact]
    public void NoReservation_TwoFourNodeJobsOnSixWorkers_SecondHoldsTwoAndWaits()
    {
        var pairs = new GreedyDispatcher().Dispatch([Job(0, 4), Job(1, 4), Job(2, 2)], Idle(6));

        Assert.Equal([0, 0, 0, 0, 1, 1], pairs.Select(p => p.Job.Id));
    }

    [Fact]
    public void NoReservation_PartialGang_HoldsItsWorkersUntilTheJoinTimeout_ThenLetsGo()
    {
        // A fleet of 3 for a 4-node job: three workers hold it, give up after the join timeout, take it again.
        var settings = new SimulationSettings { MinSize = 3, MaxSize = 3, JoinTimeout = 300 };

        var result = new FleetSimulation(settings, [new JobArrival(60, 600, 4)], new GreedyDispatcher()).Run(3600);

        Assert.Null(result.Jobs[0].FirstStart);
        Assert.Equal(0, result.Usage.Training);
        Assert.True(result.Usage.Held > 0.9, $"held {result.Usage.Held}");
    }

    [Fact]
    public void GangFromZero_CountedAsItsNodes_ScalesToThemAndRuns_CountedAsOneMessage_NeverStarts()
    {
        var settings = new SimulationSettings();

        var counted = new FleetSimulation(settings, [new JobArrival(60, 1200, 4)]).Run(2 * 3600);
        var uncounted = new FleetSimulation(settings with { CountGangNodes = false }, [new JobArrival(60, 1200, 4)]).Run(2 * 3600);

        Assert.NotNull(counted.Jobs[0].Finished);
        Assert.Contains(counted.Series, d => d.GangNodes == 3 && d.Demand == 4);
        Assert.Null(uncounted.Jobs[0].FirstStart);
        Assert.All(uncounted.Series, d => Assert.True(d.Desired <= 1));
    }

    [Fact]
    public void GangOnSpot_OneNodeInterrupted_WholeGangHandsOff_AndTheJobStillFinishes()
    {
        var settings = new SimulationSettings { MinSize = 4, MaxSize = 8, OnDemandBaseCapacity = 0, OnDemandPercentAboveBase = 0, SpotInterruptionsPerHour = 2 };

        var result = new FleetSimulation(settings, [new JobArrival(60, 3600, 4)]).Run(6 * 3600);

        Assert.True(result.SpotInterruptions > 0);
        Assert.NotNull(result.Jobs[0].Finished);
        Assert.True(result.Jobs[0].Attempts > 1, $"{result.Jobs[0].Attempts} attempts");
    }
}
