using System.Xml.Linq;

namespace TrainingWorkers.FleetSimulator.Tests;

/// <summary>The model's mechanics: alarms, why each policy is there, hand-offs against the hook's timeout.</summary>
public sealed class SimulationTests
{
    [Fact]
    public void Alarm_NeedsEveryOneOfItsPeriodsBreaching()
    {
        var alarm = new MetricAlarm(3, d => d.Visible > 0);
        Datapoint Point(int at, int visible) => new(at, visible, 0, 0, 0, 0, 0, 0);

        Assert.False(alarm.Evaluate([Point(60, 1), Point(120, 1)]));
        Assert.False(alarm.Evaluate([Point(60, 1), Point(120, 0), Point(180, 1)]));
        Assert.True(alarm.Evaluate([Point(60, 0), Point(120, 1), Point(180, 1), Point(240, 1)]));
    }

    [Fact]
    public void TargetTrackingAlone_NeverStartsAnInstanceFromZero()
    {
        var settings = new SimulationSettings { ScaleFromZeroPeriods = int.MaxValue };

        var result = new FleetSimulation(settings, Workloads.FirstJob()).Run(3600);

        Assert.Null(result.Jobs[0].FirstStart);
        Assert.All(result.Series, d => Assert.Equal(0, d.Desired));
    }

    [Fact]
    public void FromZero_FirstStart_IsMetricDelayAlarmBootAndWorkerStart()
    {
        var settings = new SimulationSettings { MetricDelay = 60, BootSeconds = 200, WorkerStartSeconds = 40 };

        var result = new FleetSimulation(settings, Workloads.FirstJob()).Run(3600);

        // Submitted at 60 s, in the datapoint taken at 60 s, which reaches the alarm at 120 s: launch then; 200 s boot, 40 s start.
        Assert.Equal(120 - 60 + 200 + 40, result.FirstStartDelay);
    }

    [Fact]
    public void HookTimeoutShorterThanTheHandOff_RedoesTraining_ButLosesNoJob()
    {
        var settings = new SimulationSettings { HandOffSeconds = 200, HandOffTimeout = 60 };
        var generous = settings with { HandOffTimeout = 300 };

        var short_ = Scenarios.Spot(settings).Result;
        var enough = Scenarios.Spot(generous).Result;

        Assert.True(short_.WorkLost > enough.WorkLost, $"redone: {short_.WorkLost} s with a 60 s hook, {enough.WorkLost} s with 300 s");
        Assert.Equal(short_.Jobs.Count, short_.Completed);
    }

    [Fact]
    public void HandOffLongerThanTheSpotNotice_RedoesTheWorkSinceTheLastCheckpoint()
    {
        var settings = new SimulationSettings { SpotInterruptionsPerHour = 1, RebalanceLeadSeconds = 0, HandOffSeconds = 150, CheckpointEvery = 600 };

        var result = new FleetSimulation(settings, Workloads.Steady(3 * 3600, 300, 7)).Run(6 * 3600);

        Assert.True(result.SpotInterruptions > 0);
        Assert.True(result.WorkLost > 0);
        Assert.Equal(result.Jobs.Count, result.Completed);
    }

    [Fact]
    public void OnDemandBase_FirstInstancesAreOnDemand_RestSpot()
    {
        var settings = new SimulationSettings { OnDemandBaseCapacity = 2, OnDemandPercentAboveBase = 0, MaxSize = 10 };

        var result = new FleetSimulation(settings, Workloads.Burst(10, 3)).Run(3600);

        var peak = result.Series.MaxBy(d => d.Spot + d.OnDemand)!;
        Assert.Equal((2, 8), (peak.OnDemand, peak.Spot));
    }

    [Fact]
    public void Chart_IsOneSvgWithBothPanels()
    {
        var result = Scenarios.FromZero(new SimulationSettings()).Result;

        var svg = XDocument.Parse(FleetChart.Svg("from-zero", result));

        var text = string.Concat(svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        Assert.Contains("backlog per instance", text, StringComparison.Ordinal);
        Assert.Contains("in service", text, StringComparison.Ordinal);
        Assert.Contains("desired", text, StringComparison.Ordinal);
    }
}
