using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Tests.Precision;

/// <summary>The scale policy alone (torch.cuda.amp.GradScaler's defaults), without libtorch.</summary>
public class LossScalerTests
{
    [Fact]
    public void New_Defaults_AreGradScalers()
    {
        var scaler = new LossScaler();
        Assert.Equal(65536.0, scaler.Scale);
        Assert.Equal(2000, scaler.GrowthInterval);
        Assert.Equal(0, scaler.GoodSteps);
    }

    [Fact]
    public void Update_Overflow_HalvesTheScaleAndCountsTheSkip()
    {
        var scaler = new LossScaler();
        scaler.Update(overflowed: true);
        scaler.Update(overflowed: true);
        Assert.Equal(16384.0, scaler.Scale);
        Assert.Equal(2, scaler.SkippedSteps);
    }

    [Fact]
    public void Update_GrowthIntervalOfGoodSteps_DoublesTheScaleOnce()
    {
        var scaler = new LossScaler();
        for (var i = 0; i < 1999; i++) scaler.Update(overflowed: false);
        Assert.Equal(65536.0, scaler.Scale);
        Assert.Equal(1999, scaler.GoodSteps);

        scaler.Update(overflowed: false);
        Assert.Equal(131072.0, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
    }

    [Fact]
    public void Update_OverflowBeforeTheInterval_RestartsTheCount()
    {
        var scaler = new LossScaler(scale: 8, growthInterval: 3);
        scaler.Update(false);
        scaler.Update(false);
        scaler.Update(true);
        Assert.Equal(4, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
        scaler.Update(false);
        scaler.Update(false);
        Assert.Equal(4, scaler.Scale);
        scaler.Update(false);
        Assert.Equal(8, scaler.Scale);
        Assert.Equal(1, scaler.SkippedSteps);
    }

    [Fact]
    public void Update_GrowthPastFloat32_KeepsTheScale()
    {
        var top = Math.Pow(2, 127);
        var scaler = new LossScaler(scale: top, growthInterval: 1);
        scaler.Update(false);
        Assert.Equal(top, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
    }

    [Fact]
    public void Restore_State_ContinuesWhereTheOtherLeftOff()
    {
        var a = new LossScaler(scale: 1024, growthInterval: 4);
        a.Update(true);
        a.Update(false);
        a.Update(false);
        var b = new LossScaler(growthInterval: 4);
        b.Restore(a.State);
        Assert.Equal(new LossScalerState(512, 2), b.State);
        a.Update(false);
        a.Update(false);
        b.Update(false);
        b.Update(false);
        Assert.Equal(a.State, b.State);
        Assert.Equal(1024, b.Scale);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void New_ScaleNotFinitePositive_Throws(double scale) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossScaler(scale));
}
