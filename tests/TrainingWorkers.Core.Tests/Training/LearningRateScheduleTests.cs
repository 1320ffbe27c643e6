using TrainingWorkers.Core.Spec;
using TrainingWorkers.Core.Training;

namespace TrainingWorkers.Core.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void Rate_Warmup_RisesLinearlyPerStepToTheBaseRate()
    {
        var s = new LearningRateSchedule(new TrainingSpec { LearningRate = 0.1, Epochs = 5, LrSchedule = new ScheduleSpec { WarmupEpochs = 2 } });
        Assert.Equal(0.1 * 1 / 20, s.Rate(0, 0, 10), 12);
        Assert.Equal(0.1 * 11 / 20, s.Rate(1, 0, 10), 12);
        Assert.Equal(0.1, s.Rate(1, 9, 10), 12);
        Assert.Equal(0.1, s.Rate(2, 0, 10), 12);
    }

    [Fact]
    public void Rate_Step_MultipliesByGammaEveryStepEpochs()
    {
        var s = new LearningRateSchedule(new TrainingSpec { LearningRate = 1, Epochs = 10, LrSchedule = new ScheduleSpec { Type = ScheduleType.Step, StepEpochs = 3, Gamma = 0.5 } });
        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.5, 0.25], Enumerable.Range(0, 7).Select(e => s.Rate(e, 0, 1)));
    }

    [Fact]
    public void Rate_Cosine_GoesFromBaseToMinimumAtTheLastEpoch()
    {
        var s = new LearningRateSchedule(new TrainingSpec { LearningRate = 1, Epochs = 5, LrSchedule = new ScheduleSpec { Type = ScheduleType.Cosine, MinLearningRate = 0.1 } });
        Assert.Equal(1, s.Rate(0, 0, 1), 12);
        Assert.Equal(0.55, s.Rate(2, 0, 1), 12);
        Assert.Equal(0.1, s.Rate(4, 0, 1), 12);
    }
}
