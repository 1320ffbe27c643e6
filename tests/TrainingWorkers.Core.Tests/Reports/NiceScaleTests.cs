using TrainingWorkers.Core.Reports;

namespace TrainingWorkers.Core.Tests.Reports;

public class NiceScaleTests
{
    [Fact]
    public void Create_StepsOfThousands_RoundsOutToNextStep()
    {
        var scale = NiceScale.Create(0, 29_000, 4);

        Assert.Equal(new NiceScale(0, 30_000, 10_000), scale);
        Assert.Equal([0.0, 10_000, 20_000, 30_000], scale.Ticks());
    }

    [Fact]
    public void Create_DataOnTicksDespiteRounding_DoesNotAddATick()
    {
        // 0.3 / 0.1 is 2.9999999999999996 in doubles; without slack the axis would start at 0.2.
        var scale = NiceScale.Create(0.3, 0.7, 5);

        Assert.Equal(0.1, scale.Step, 12);
        Assert.Equal(0.3, scale.Min, 12);
        Assert.Equal(0.7, scale.Max, 12);
    }

    [Theory]
    [InlineData(5.0, 4.5, 5.5)]
    [InlineData(0.0, -1.0, 1.0)]
    [InlineData(-2.0, -2.2, -1.8)]
    public void Create_EmptyRange_WidensAroundValue(double value, double expectedMin, double expectedMax)
    {
        var scale = NiceScale.Create(value, value, 5);

        Assert.True(scale.Min <= expectedMin + 1e-12 && scale.Max >= expectedMax - 1e-12, $"[{scale.Min}, {scale.Max}]");
        Assert.True(scale.Max - scale.Min <= 4 * (expectedMax - expectedMin), $"[{scale.Min}, {scale.Max}] is far too wide");
    }

    [Fact]
    public void Format_StepOfFiveHundredths_UsesTwoDecimals()
    {
        var scale = new NiceScale(0.85, 1.05, 0.05);

        Assert.Equal(["0.85", "0.90", "0.95", "1.00", "1.05"], scale.Ticks().Select(scale.Format));
    }

    [Fact]
    public void Ticks_SymmetricRange_HasExactZeroWithoutMinusSign()
    {
        var scale = NiceScale.Create(-0.3, 0.3, 7);

        Assert.Contains("0.0", scale.Ticks().Select(scale.Format));
        Assert.DoesNotContain("-0.0", scale.Ticks().Select(scale.Format));
    }

    [Fact]
    public void Format_TinyStep_UsesExponentAndPlainZero()
    {
        var scale = NiceScale.Create(0, 7e-7, 3);

        Assert.Equal(["0", "5E-7", "1E-6"], scale.Ticks().Select(scale.Format));
    }

    [Fact]
    public void Format_StepOfFiveHundredThousandths_StaysFixedPoint()
    {
        var scale = NiceScale.Create(0.0009, 0.0011, 5);

        Assert.Equal(["0.00090", "0.00095", "0.00100", "0.00105", "0.00110"], scale.Ticks().Select(scale.Format));
    }

    [Fact]
    public void Map_EndsOfScale_MapToEndsOfPixelRange()
    {
        var scale = new NiceScale(0, 10, 2);

        Assert.Equal(300, scale.Map(0, 300, 50));
        Assert.Equal(50, scale.Map(10, 300, 50));
        Assert.Equal(175, scale.Map(5, 300, 50));
    }
}
