using TrainingWorkers.Deploy;

namespace TrainingWorkers.FleetSimulator.Tests;

/// <summary>With the deploy stack's own defaults (FleetDefaults), the fleet has the five properties the issue asks for.</summary>
public sealed class StackDefaultsTests
{
    private static readonly SimulationSettings Stack = new();

    [Fact]
    public void Settings_ByDefault_AreTheStacks()
    {
        Assert.Equal(FleetDefaults.JobsPerInstance, Stack.Target);
        Assert.Equal(FleetDefaults.InstanceWarmupSeconds, Stack.InstanceWarmup);
        Assert.Equal(FleetDefaults.HandOffTimeoutSeconds, Stack.HandOffTimeout);
        Assert.Equal(FleetDefaults.ScaleFromZeroEvaluationPeriods, Stack.ScaleFromZeroPeriods);
        Assert.Equal((FleetDefaults.MinSize, FleetDefaults.MaxSize), (Stack.MinSize, Stack.MaxSize));
    }

    [Fact]
    public void FromZero_FirstJobStarts_AndTheGroupReturnsToZero() => AssertAllHold(Scenarios.FromZero(Stack));

    [Fact]
    public void Burst200_BacklogPerInstanceSettlesAtTheTarget_NoRunningJobScaledIn() => AssertAllHold(Scenarios.Burst(Stack));

    [Fact]
    public void Spot_InterruptionsAndRebalancing_LoseNoJob() => AssertAllHold(Scenarios.Spot(Stack));

    private static void AssertAllHold(Scenarios.Run run)
    {
        var failed = run.Checks.Where(c => !c.Holds).Select(c => $"{c.Property}: {c.Detail}").ToList();
        Assert.True(failed.Count == 0, $"{run.Name}: " + string.Join("; ", failed));
    }
}
