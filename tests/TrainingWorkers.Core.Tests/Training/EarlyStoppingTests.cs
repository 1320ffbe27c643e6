using TrainingWorkers.Core.Spec;
using TrainingWorkers.Core.Training;

namespace TrainingWorkers.Core.Tests.Training;

public class EarlyStoppingTests
{
    [Fact]
    public void Update_LossStopsImproving_StopsAfterPatienceEpochs()
    {
        var early = new EarlyStopping(new EarlyStoppingSpec { Monitor = "val_loss", Patience = 2 });
        Assert.Equal(new EarlyStoppingDecision(true, false), early.Update(1, 1.0));
        Assert.Equal(new EarlyStoppingDecision(true, false), early.Update(2, 0.8));
        Assert.Equal(new EarlyStoppingDecision(false, false), early.Update(3, 0.9));
        Assert.Equal(new EarlyStoppingDecision(false, true), early.Update(4, 0.85));
        Assert.Equal(2, early.BestEpoch);
        Assert.Equal(0.8, early.Best);
    }

    [Fact]
    public void Update_ImprovementBelowMinDelta_DoesNotCount()
    {
        var early = new EarlyStopping(new EarlyStoppingSpec { Monitor = "val_accuracy", Patience = 1, MinDelta = 0.01 });
        Assert.True(early.HigherIsBetter);
        early.Update(1, 0.80);
        Assert.Equal(new EarlyStoppingDecision(false, true), early.Update(2, 0.805));
        Assert.Equal(1, early.BestEpoch);
    }

    [Fact]
    public void Update_NaN_IsNeverAnImprovement()
    {
        var early = new EarlyStopping(new EarlyStoppingSpec { Patience = 3 });
        early.Update(1, 0.5);
        Assert.False(early.Update(2, double.NaN).Improved);
    }

    [Fact]
    public void Mode_Explicit_OverridesTheName()
    {
        Assert.False(new EarlyStopping(new EarlyStoppingSpec { Monitor = "val_accuracy", Mode = MonitorMode.Min }).HigherIsBetter);
        Assert.True(new EarlyStopping(new EarlyStoppingSpec { Monitor = "val_loss", Mode = MonitorMode.Max }).HigherIsBetter);
    }
}
