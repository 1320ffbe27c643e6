using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Training;

/// <summary>
/// The learning rate at each step: a linear warm-up from lr/steps to lr over warmup_epochs, then
/// constant, step decay or cosine decay (to min_learning_rate at the last epoch), both per epoch.
/// </summary>
public sealed class LearningRateSchedule
{
    private readonly TrainingSpec _training;
    private readonly ScheduleSpec _schedule;

    public LearningRateSchedule(TrainingSpec training)
    {
        _training = training;
        _schedule = training.LrSchedule;
    }

    /// <param name="epoch">0-based epoch.</param>
    /// <param name="stepInEpoch">0-based step within the epoch.</param>
    /// <param name="stepsPerEpoch">Steps in one epoch (at least 1).</param>
    public double Rate(int epoch, int stepInEpoch, int stepsPerEpoch)
    {
        var lr = _training.LearningRate;
        var warmup = _schedule.WarmupEpochs;
        if (epoch < warmup)
        {
            var step = (long)epoch * stepsPerEpoch + stepInEpoch + 1;
            return lr * step / ((long)warmup * stepsPerEpoch);
        }

        var after = epoch - warmup;
        return _schedule.Type switch
        {
            ScheduleType.Step => lr * Math.Pow(_schedule.Gamma, after / _schedule.StepEpochs),
            ScheduleType.Cosine => CosineRate(lr, after, _training.Epochs - warmup),
            _ => lr,
        };
    }

    private double CosineRate(double lr, int after, int decayEpochs)
    {
        var min = _schedule.MinLearningRate;
        if (decayEpochs <= 1) return lr;
        var progress = (double)after / (decayEpochs - 1);
        return min + (lr - min) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
