namespace TrainingWorkers.Core.Jobs;

/// <summary>
/// One epoch's metrics of a job, kept as its own item beside the job's record: the record holds only the newest
/// epoch's, and a tuner needs every epoch (the median and successive-halving rules compare trials epoch by epoch).
/// </summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Metrics">The epoch's metrics as the trainer reported them (train_loss, val_accuracy, ...).</param>
/// <param name="At">When the worker recorded them.</param>
public sealed record EpochMetrics(int Epoch, IReadOnlyDictionary<string, double> Metrics, DateTimeOffset At);
