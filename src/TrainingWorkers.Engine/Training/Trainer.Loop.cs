using System.Diagnostics;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Core.Training;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Training;

public sealed partial class Trainer
{
    /// <summary>One run of the epoch loop over a <see cref="TrainerState"/> that checkpoints capture whole.</summary>
    /// <param name="resumedFrom">The checkpoint this run started from: retention never deletes it.</param>
    private sealed class Loop(Trainer trainer, TrainingThread thread, Model model, Optimizer optimizer, EarlyStopping? early, TrainerState state, byte[]? bestState, string? resumedFrom)
    {
        public byte[]? BestState { get; private set; } = bestState;
        public string? LastCheckpoint { get; private set; }

        public async Task<StopReason> RunAsync(CancellationToken cancellationToken)
        {
            var spec = trainer._spec;
            var training = spec.Training;
            var train = trainer._data.Train;
            var batchSize = Math.Min(training.BatchSize, train.Count);
            var steps = trainer._parallel?.StepsPerEpoch(train.Count, batchSize) ?? (train.Count + batchSize - 1) / batchSize;
            var accumulation = training.GradientAccumulationSteps;
            var pending = false;
            var schedule = new LearningRateSchedule(training);
            var loaderThreads = trainer.LoaderThreads;
            var input = trainer._data.Input;
            var everySteps = spec.Checkpointing.EverySteps;
            var lr = double.NaN;
            var stream = train.Reader as IEpochStream;
            var (rank, worldSize) = (trainer._parallel?.Rank ?? 0, trainer._parallel?.WorldSize ?? 1);
            if (stream is not null && state.DataFingerprint is { } fingerprint && fingerprint != stream.Fingerprint)
            {
                throw new Core.Failures.JobInputException("data.train", $"the shards changed since the checkpoint was taken (fingerprint {stream.Fingerprint}, the checkpoint's {fingerprint}): its stream position does not apply; start a new run");
            }

            try
            {
                while (state.Epoch < training.Epochs)
                {
                    var epochClock = Stopwatch.StartNew();
                    FineTuning.ApplyFreezing(model, spec.FineTune, state.Epoch);
                    int[] order;
                    if (stream is not null)
                    {
                        // A stream's epoch: its length and this rank's positions come from the shards' order; a resume replays up to its position.
                        (steps, var positions) = stream.Start(state.Epoch, state.StepInEpoch * batchSize, batchSize, rank, worldSize);
                        order = Enumerable.Range(0, positions).ToArray();
                        state.DataFingerprint = stream.Fingerprint;
                    }
                    else
                    {
                        order = Shuffle.Permutation(train.Count, training.Seed, (ulong)state.Epoch);
                        if (trainer._parallel is { } parallel) order = parallel.Shard(order, batchSize);
                    }

                    trainer._observer.EpochStarted(state.Epoch + 1, training.Epochs, steps);
                    var epoch = (ulong)state.Epoch;
                    // Per example and epoch (a stream's positions also per rank): the same draws on every run, so a resume is exact.
                    var streamRank = stream is null ? 0UL : (ulong)rank << 40;
                    Func<int, ulong?>? augment = spec.Data.Augment is null || train.InMemory ? null : example => SplitMix.Seed(training.Seed, epoch, (uint)example | streamRank);
                    using var batches = new BatchPipeline(train, order, batchSize, state.StepInEpoch, steps, loaderThreads, spec.Data.Prefetch + 1, augment, input);
                    var (decodedBefore, waitBefore) = input.Snapshot();
                    while (state.StepInEpoch < steps)
                    {
                        if (!pending && trainer.StopRequested(cancellationToken))
                        {
                            // Ctrl-C or SIGTERM mid-epoch: keep what was learned so far, then stop.
                            await CheckpointAsync(new Dictionary<string, double>(), epochClock).ConfigureAwait(true);
                            return StopReason.Cancelled;
                        }

                        var rate = schedule.Rate(state.Epoch, state.StepInEpoch, steps);
                        if (rate != lr) optimizer.SetLearningRate(lr = rate);
                        var (buffer, n) = batches.Next(state.StepInEpoch);
                        if (accumulation > 1)
                        {
                            var (weight, accumulateOnly) = GradientAccumulation.Plan(state.StepInEpoch, steps, accumulation, batchSize, order.Length);
                            optimizer.SetAccumulation(weight, accumulateOnly);
                            pending = accumulateOnly;
                        }

                        thread.EnsureCurrent();
                        var result = train.IsClassification
                            ? model.TrainStep(optimizer, buffer.Features, buffer.Labels, n)
                            : model.TrainStep(optimizer, buffer.Features, buffer.Targets, n);
                        state.LossSum += (double)result.Loss * n;
                        state.Correct += result.Correct;
                        state.Seen += n;
                        state.StepInEpoch++;
                        state.GlobalStep++;
                        trainer._observer.StepCompleted(state.Epoch + 1, state.StepInEpoch, steps, result.Loss);
                        if (everySteps is { } every && state.GlobalStep % every == 0 && state.StepInEpoch < steps && !pending)
                        {
                            await CheckpointAsync(new Dictionary<string, double>(), epochClock).ConfigureAwait(true);
                        }
                    }

                    var (decoded, wait) = input.Snapshot();
                    var inputMetrics = InputMetrics(decoded - decodedBefore, wait - waitBefore, epochClock.Elapsed);
                    var summary = FinishEpoch(lr, TimeSpan.FromSeconds(state.EpochSeconds) + epochClock.Elapsed, inputMetrics);
                    state.Epoch++;
                    var stop = early is not null && early.EpochsWithoutImprovement >= spec.EarlyStopping!.Patience;
                    if (state.Epoch % spec.Checkpointing.EveryEpochs == 0 || state.Epoch == training.Epochs || stop)
                    {
                        await CheckpointAsync(summary.Metrics, epochClock: null).ConfigureAwait(true);
                    }

                    if (stop) return StopReason.EarlyStopped;
                }

                return StopReason.Completed;
            }
            finally
            {
                stream?.Stop();
            }
        }

        /// <summary>Validates, updates early stopping, publishes the epoch's metrics and resets the epoch's counters.</summary>
        private EpochSummary FinishEpoch(double lr, TimeSpan duration, Dictionary<string, double> inputMetrics)
        {
            var data = trainer._data;
            trainer._parallel?.ReduceEpochSums(state);
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [MetricNames.TrainLoss] = state.LossSum / state.Seen };
            foreach (var (k, v) in inputMetrics) metrics[k] = v;
            if (data.Train.IsClassification) metrics[MetricNames.TrainAccuracy] = (double)state.Correct / state.Seen;
            if (data.Validation is { } validation)
            {
                foreach (var (k, v) in trainer.Evaluate(model, validation).Metrics("val_")) metrics[k] = v;
            }

            var epoch = state.Epoch + 1;
            var decision = early?.Update(epoch, metrics.GetValueOrDefault(early.Monitor, double.NaN));
            if (decision is { Improved: true } && trainer._spec.EarlyStopping!.RestoreBestWeights) BestState = model.SaveState();
            var summary = new EpochSummary(epoch, metrics, lr, duration, state.Seen / duration.TotalSeconds, decision?.Improved ?? false);
            state.History.Add(TrainerState.EpochRecord.From(summary));
            (state.LossSum, state.Correct, state.Seen, state.EpochSeconds, state.StepInEpoch) = (0, 0, 0, 0, 0);
            if (early is not null) (state.BestValue, state.BestEpoch, state.EpochsWithoutImprovement) = (early.Best, early.BestEpoch, early.EpochsWithoutImprovement);
            trainer._metrics.Publish(Points(summary, state.GlobalStep));
            trainer._observer.EpochCompleted(summary);
            return summary;
        }

        /// <param name="epochClock">Mid-epoch: the clock of the epoch in progress, whose time so far the checkpoint keeps.</param>
        private async Task CheckpointAsync(IReadOnlyDictionary<string, double> metrics, Stopwatch? epochClock)
        {
            if (epochClock is not null)
            {
                state.EpochSeconds += epochClock.Elapsed.TotalSeconds;
                epochClock.Restart();
            }

            if (trainer._parallel is { } parallel)
            {
                parallel.GatherEpochSums(state);
                if (!parallel.IsRankZero) return;
            }

            state.LossScaler = optimizer.LossScaler?.State;
            state.StreamPosition = trainer._data.Train.Reader is IEpochStream ? (long)state.StepInEpoch * Math.Min(trainer._spec.Training.BatchSize, trainer._data.Train.Count) : null;
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
            {
                [ModelFile] = model.SaveState(),
                [OptimizerFile] = optimizer.SaveState(),
                [RandomFile] = Torch.GetRandomState(),
                [StateFile] = state.Serialize(),
            };
            if (BestState is not null) files[BestModelFile] = BestState;
            var checkpoint = Checkpoint.Create(trainer._spec.Name, state.Epoch, state.GlobalStep, files, metrics);
            var store = trainer._checkpoints;
            // The last checkpoint must be durable even when the run is being cancelled.
            await store.WriteAsync(checkpoint, CancellationToken.None).ConfigureAwait(true);
            var all = await store.ListAsync(CancellationToken.None).ConfigureAwait(true);
            var bestId = early is { BestEpoch: > 0 } ? all.LastOrDefault(m => m.Epoch == early.BestEpoch && m.Metrics.Count > 0)?.Id : null;
            // keep_last >= 1 always keeps the checkpoint just written.
            foreach (var id in CheckpointRetention.ToDelete(all.Select(m => m.Id).ToList(), trainer._spec.Checkpointing.KeepLast, bestId, resumedFrom))
            {
                await store.DeleteAsync(id, CancellationToken.None).ConfigureAwait(true);
            }

            LastCheckpoint = checkpoint.Manifest.Id;
            trainer._observer.CheckpointWritten(checkpoint.Manifest.Id, store.Location);
        }

        /// <summary>
        /// The input pipeline's share of the epoch (this run, since a resume): how long the step waited for data and,
        /// when images are decoded, how many per second. Both say whether a job is input-bound.
        /// </summary>
        private static Dictionary<string, double> InputMetrics(long decoded, TimeSpan wait, TimeSpan elapsed)
        {
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [MetricNames.InputWaitSeconds] = Math.Round(wait.TotalSeconds, 4) };
            if (decoded > 0) metrics[MetricNames.ImagesPerSecond] = Math.Round(decoded / Math.Max(elapsed.TotalSeconds, 1e-9), 1);
            return metrics;
        }

        private static List<MetricPoint> Points(EpochSummary summary, long step)
        {
            var now = DateTimeOffset.UtcNow;
            var points = summary.Metrics.Select(m => new MetricPoint(m.Key, m.Value, MetricUnit.None, now, summary.Epoch, step)).ToList();
            points.Add(new MetricPoint("learning_rate", summary.LearningRate, MetricUnit.None, now, summary.Epoch, step));
            points.Add(new MetricPoint("epoch_time", summary.Duration.TotalSeconds, MetricUnit.Seconds, now, summary.Epoch, step));
            points.Add(new MetricPoint("samples_per_second", summary.SamplesPerSecond, MetricUnit.CountPerSecond, now, summary.Epoch, step));
            return points;
        }
    }
}
