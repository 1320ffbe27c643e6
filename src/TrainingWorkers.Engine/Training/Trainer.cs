using System.Diagnostics;
using System.Text.Json;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Core.Training;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Training;

/// <summary>
/// The training loop: seeded shuffles, batches through libtorch, a validation pass per epoch,
/// metrics, early stopping, checkpoints, and a clean stop (checkpoint first) on cancellation.
/// </summary>
public sealed class Trainer
{
    private readonly JobSpec _spec;
    private readonly DataSplits _data;
    private readonly ICheckpointStore _checkpoints;
    private readonly IMetricsSink _metrics;
    private readonly ITrainingObserver _observer;

    public Trainer(JobSpec spec, DataSplits data, ICheckpointStore checkpoints, IMetricsSink metrics, ITrainingObserver? observer = null)
    {
        _spec = spec;
        _data = data;
        _checkpoints = checkpoints;
        _metrics = metrics;
        _observer = observer ?? NullTrainingObserver.Instance;
    }

    public async Task<TrainingResult> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var training = _spec.Training;
        if (_spec.EarlyStopping is { } monitor && MetricNames.BinaryOnly.Contains(monitor.Monitor) && _data.Outputs != 2)
        {
            throw new ArgumentException($"early_stopping.monitor: {monitor.Monitor} needs two classes, the data has {_data.Outputs}");
        }

        Torch.Initialize(training.Threads);
        Torch.ManualSeed(training.Seed);
        var device = Torch.ResolveDevice(training.Device);
        var loss = _data.Task == TaskKind.Classification ? LossKind.CrossEntropy : LossKind.MeanSquaredError;
        var definition = ModelBuilder.Build(_spec.Model, _data.Train.Shape, _data.Outputs, loss);
        using var model = Model.Create(definition, device);
        using var optimizer = Optimizer.Create(model, training);

        var train = _data.Train;
        var batchSize = Math.Min(training.BatchSize, train.Count);
        var steps = (train.Count + batchSize - 1) / batchSize;
        var schedule = new LearningRateSchedule(training);
        var early = _spec.EarlyStopping is { } es && _data.Validation is not null ? new EarlyStopping(es) : null;
        var buffer = new BatchBuffer(train, batchSize);
        var history = new List<EpochSummary>();
        byte[]? bestState = null;
        string? lastCheckpoint = null;
        var stopReason = StopReason.Completed;
        long globalStep = 0;
        var lr = double.NaN;

        for (var epoch = 0; epoch < training.Epochs && stopReason == StopReason.Completed; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            _observer.EpochStarted(epoch + 1, training.Epochs, steps);
            var order = Shuffle.Permutation(train.Count, training.Seed, (ulong)epoch);
            double lossSum = 0;
            long correct = 0;
            var seen = 0;
            for (var step = 0; step < steps; step++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    stopReason = StopReason.Cancelled;
                    break;
                }

                var rate = schedule.Rate(epoch, step, steps);
                if (rate != lr) optimizer.SetLearningRate(lr = rate);
                var n = Math.Min(batchSize, train.Count - step * batchSize);
                buffer.Fill(train, order, step * batchSize, n);
                var result = train.IsClassification
                    ? model.TrainStep(optimizer, buffer.Features, buffer.Labels, n)
                    : model.TrainStep(optimizer, buffer.Features, buffer.Targets, n);
                lossSum += (double)result.Loss * n;
                correct += result.Correct;
                seen += n;
                globalStep++;
                _observer.StepCompleted(epoch + 1, step + 1, steps, result.Loss);
            }

            if (stopReason == StopReason.Cancelled)
            {
                // Ctrl-C mid-epoch: keep what was learned so far before stopping.
                lastCheckpoint = await WriteCheckpointAsync(model, optimizer, epoch, globalStep, early, history, new Dictionary<string, double>()).ConfigureAwait(false);
                break;
            }

            var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [MetricNames.TrainLoss] = lossSum / seen };
            if (train.IsClassification) metrics[MetricNames.TrainAccuracy] = (double)correct / seen;
            if (_data.Validation is { } validation)
            {
                foreach (var (k, v) in Evaluator.Evaluate(model, validation, _data.ClassNames).Metrics("val_")) metrics[k] = v;
            }

            var duration = epochClock.Elapsed;
            var decision = early?.Update(epoch + 1, metrics.GetValueOrDefault(early.Monitor, double.NaN));
            if (decision is { Improved: true } && _spec.EarlyStopping!.RestoreBestWeights) bestState = model.SaveState();
            var summary = new EpochSummary(epoch + 1, metrics, lr, duration, seen / duration.TotalSeconds, decision?.Improved ?? false);
            history.Add(summary);
            _metrics.Publish(Points(summary, globalStep));
            _observer.EpochCompleted(summary);
            if (decision is { ShouldStop: true }) stopReason = StopReason.EarlyStopped;

            var last = epoch + 1 == training.Epochs || stopReason != StopReason.Completed;
            if ((epoch + 1) % _spec.Checkpointing.EveryEpochs == 0 || last)
            {
                lastCheckpoint = await WriteCheckpointAsync(model, optimizer, epoch + 1, globalStep, early, history, metrics).ConfigureAwait(false);
            }
        }

        var restored = false;
        if (bestState is not null && stopReason != StopReason.Cancelled && early!.BestEpoch != history.Count)
        {
            model.LoadState(bestState);
            restored = true;
        }

        var validationReport = _data.Validation is null ? null : Evaluator.Evaluate(model, _data.Validation, _data.ClassNames);
        var testReport = _data.Test is null ? null : Evaluator.Evaluate(model, _data.Test, _data.ClassNames);
        await _metrics.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return new TrainingResult
        {
            StopReason = stopReason,
            History = history,
            Monitor = early?.Monitor,
            BestEpoch = early?.BestEpoch ?? 0,
            BestValue = early?.Best ?? double.NaN,
            RestoredBestWeights = restored || (bestState is not null && stopReason != StopReason.Cancelled && early!.BestEpoch == history.Count),
            Validation = validationReport,
            Test = testReport,
            Model = definition,
            Parameters = model.ParameterCount.Total,
            ModelState = model.SaveState(),
            LastCheckpoint = lastCheckpoint,
            Device = device,
            Duration = clock.Elapsed,
        };
    }

    private async Task<string> WriteCheckpointAsync(Model model, Optimizer optimizer, int epoch, long step, EarlyStopping? early,
        IReadOnlyList<EpochSummary> history, IReadOnlyDictionary<string, double> metrics)
    {
        var state = new TrainerState(epoch, step, early?.Best, early?.BestEpoch ?? 0, early?.EpochsWithoutImprovement ?? 0,
            history.Select(h => h.Metrics).ToList());
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["model.pt"] = model.SaveState(),
            ["optimizer.pt"] = optimizer.SaveState(),
            ["trainer.json"] = JsonSerializer.SerializeToUtf8Bytes(state),
        };
        var checkpoint = Checkpoint.Create(_spec.Name, epoch, step, files, metrics);
        // The last checkpoint must be durable even when the run is being cancelled.
        await _checkpoints.WriteAsync(checkpoint, CancellationToken.None).ConfigureAwait(false);
        var all = await _checkpoints.ListAsync(CancellationToken.None).ConfigureAwait(false);
        var bestId = early is { BestEpoch: > 0 } ? all.LastOrDefault(m => m.Epoch == early.BestEpoch)?.Id : null;
        foreach (var id in CheckpointRetention.ToDelete(all.Select(m => m.Id).ToList(), _spec.Checkpointing.KeepLast, bestId, checkpoint.Manifest.Id))
        {
            await _checkpoints.DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
        }

        _observer.CheckpointWritten(checkpoint.Manifest.Id, _checkpoints.Location);
        return checkpoint.Manifest.Id;
    }

    private static List<MetricPoint> Points(EpochSummary summary, long step)
    {
        var now = DateTimeOffset.UtcNow;
        var points = summary.Metrics
            .Select(m => new MetricPoint(m.Key, m.Value, MetricUnit.None, now, summary.Epoch, step))
            .ToList();
        points.Add(new MetricPoint("learning_rate", summary.LearningRate, MetricUnit.None, now, summary.Epoch, step));
        points.Add(new MetricPoint("epoch_time", summary.Duration.TotalSeconds, MetricUnit.Seconds, now, summary.Epoch, step));
        points.Add(new MetricPoint("samples_per_second", summary.SamplesPerSecond, MetricUnit.CountPerSecond, now, summary.Epoch, step));
        return points;
    }
}

/// <summary>The loop's own state in a checkpoint (trainer.json), beside the model and optimizer.</summary>
internal sealed record TrainerState(int Epoch, long Step, double? BestValue, int BestEpoch, int EpochsWithoutImprovement,
    IReadOnlyList<IReadOnlyDictionary<string, double>> History);
