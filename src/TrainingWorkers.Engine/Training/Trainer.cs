using TrainingWorkers.Core.Failures;
using System.Diagnostics;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Core.Training;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Training;

/// <summary>
/// The training loop: seeded shuffles, batches through libtorch, a validation pass per epoch,
/// metrics, early stopping, checkpoints (per epoch and every N steps), exact resume from a
/// checkpoint, and a clean stop (checkpoint first) on cancellation.
/// </summary>
public sealed partial class Trainer
{
    private readonly JobSpec _spec;
    private readonly DataSplits _data;
    private readonly ICheckpointStore _checkpoints;
    private readonly IMetricsSink _metrics;
    private readonly ITrainingObserver _observer;
    private readonly ModelLocationPolicy _modelLocations;
    private readonly DataParallel? _parallel;

    /// <param name="modelLocations">Where TorchScript models may be loaded from; default: the operator's <c>TW_MODEL_ALLOW</c> only.</param>
    /// <param name="parallel">As one rank of a data-parallel group; null trains alone.</param>
    public Trainer(JobSpec spec, DataSplits data, ICheckpointStore checkpoints, IMetricsSink metrics, ITrainingObserver? observer = null,
        ModelLocationPolicy? modelLocations = null, DataParallel? parallel = null)
    {
        _parallel = parallel;
        _spec = spec;
        _data = data;
        _checkpoints = checkpoints;
        _metrics = metrics;
        _observer = observer ?? NullTrainingObserver.Instance;
        _modelLocations = modelLocations ?? ModelLocationPolicy.FromEnvironment();
    }

    /// <summary>Trains from scratch, or continues exactly from <paramref name="resumeFrom"/>.</summary>
    /// <remarks>The run makes all its libtorch calls from one dedicated thread (see <see cref="TrainingThread"/>).</remarks>
    public Task<TrainingResult> RunAsync(CancellationToken cancellationToken, Checkpoint? resumeFrom = null) =>
        TrainingThread.RunAsync($"tw-train {_spec.Name}", thread => RunOnThreadAsync(thread, cancellationToken, resumeFrom));

    // Every await here keeps the context (ConfigureAwait(true)), so the run stays on its thread.
    private async Task<TrainingResult> RunOnThreadAsync(TrainingThread thread, CancellationToken cancellationToken, Checkpoint? resumeFrom)
    {
        var clock = Stopwatch.StartNew();
        var training = _spec.Training;
        if (_spec.EarlyStopping is { } monitor && MetricNames.BinaryOnly.Contains(monitor.Monitor) && _data.Outputs != 2)
        {
            throw new JobInputException("early_stopping.monitor", $"{monitor.Monitor} needs two classes, the data has {_data.Outputs}");
        }

        Torch.Initialize(training.Threads);
        Torch.ManualSeed(training.Seed);
        var device = Torch.ResolveDevice(training.Device);
        var loss = _data.Task == TaskKind.Classification ? LossKind.CrossEntropy : LossKind.MeanSquaredError;
        using var model = ModelFactory.Create(_spec, _data.Train.Shape, _data.Outputs, loss, device, _modelLocations);
        if (resumeFrom is null && _spec.FineTune is { } fineTune) await FineTuning.LoadPretrainedAsync(model, fineTune, cancellationToken).ConfigureAwait(true);
        FineTuning.ApplyFreezing(model, _spec.FineTune, epoch: 0);
        using var optimizer = Optimizer.Create(model, training, _spec.FineTune);
        var early = _spec.EarlyStopping is { } es && _data.Validation is not null ? new EarlyStopping(es) : null;
        var state = new TrainerState();
        byte[]? bestState = null;
        if (resumeFrom is not null) (state, bestState) = Restore(resumeFrom, model, optimizer, early);
        DataParallel.AdaptTo(state, _parallel?.WorldSize ?? 1);
        _parallel?.Join(model, optimizer, state, training.Seed);
        using var stopOnCancel = _parallel is null ? default : _parallel.StopWhen(cancellationToken);

        var loop = new Loop(this, thread, model, optimizer, early, state, bestState, resumeFrom?.Manifest.Id);
        var stopReason = await loop.RunAsync(cancellationToken).ConfigureAwait(true);
        thread.EnsureCurrent();

        var history = state.History.Select(h => h.ToSummary()).ToList();
        var restored = false;
        if (loop.BestState is not null && stopReason != StopReason.Cancelled && early!.BestEpoch != history.Count)
        {
            model.LoadState(loop.BestState);
            restored = true;
        }

        var validationReport = _data.Validation is null ? null : Evaluate(model, _data.Validation);
        var testReport = _data.Test is null ? null : Evaluate(model, _data.Test);
        await _metrics.FlushAsync(CancellationToken.None).ConfigureAwait(true);
        return new TrainingResult
        {
            StopReason = stopReason,
            History = history,
            Monitor = early?.Monitor,
            BestEpoch = early?.BestEpoch ?? 0,
            BestValue = early?.Best ?? double.NaN,
            RestoredBestWeights = restored || (loop.BestState is not null && stopReason != StopReason.Cancelled && early!.BestEpoch == history.Count),
            Validation = validationReport,
            Test = testReport,
            Model = model.Definition,
            Parameters = model.ParameterCount.Total,
            ModelState = model.SaveState(),
            TorchScript = model.ExportTorchScript(),
            LastCheckpoint = loop.LastCheckpoint,
            ResumedFrom = resumeFrom?.Manifest.Id,
            Device = device,
            Duration = clock.Elapsed,
            Input = _data.Input,
            LoaderThreads = LoaderThreads,
        };
    }

    private int LoaderThreads => _spec.Data.LoaderThreads ?? (_data.Train.InMemory ? 1 : Data.Images.ImageFolderLoader.DefaultThreads);

    // Data-parallel: every rank evaluates a part and all get the group's metrics.
    private EvaluationReport Evaluate(Model model, Dataset data) =>
        _parallel is null ? Evaluator.Evaluate(model, data, _data.ClassNames) : _parallel.Evaluate(model, data, _data.ClassNames);

    // Data-parallel: the ranks agree to stop after the same step (the request rides on the gradient all-reduce).
    private bool StopRequested(CancellationToken cancellationToken) =>
        _parallel is null ? cancellationToken.IsCancellationRequested : _parallel.StopRequested(cancellationToken);

    private static (TrainerState State, byte[]? BestState) Restore(Checkpoint checkpoint, Model model, Optimizer optimizer, EarlyStopping? early)
    {
        byte[] Payload(string name) => checkpoint.Files.TryGetValue(name, out var bytes)
            ? bytes
            : throw new CorruptCheckpointException(checkpoint.Manifest.Id, $"it has no {name}: it was not written by this trainer");
        try
        {
            model.LoadState(Payload(ModelFile));
        }
        catch (Native.TorchException e)
        {
            throw new CorruptCheckpointException(checkpoint.Manifest.Id, $"its weights do not fit this job's model ({e.NativeMessage})");
        }

        optimizer.LoadState(Payload(OptimizerFile));
        Torch.SetRandomState(Payload(RandomFile));
        var state = TrainerState.Deserialize(Payload(StateFile));
        if (state.LossScaler is { } scaler) optimizer.RestoreLossScaler(scaler);
        early?.Restore(state.BestValue, state.BestEpoch, state.EpochsWithoutImprovement);
        return (state, checkpoint.Files.GetValueOrDefault(BestModelFile));
    }

    internal const string ModelFile = "model.pt";
    internal const string OptimizerFile = "optimizer.pt";
    internal const string RandomFile = "rng.bin";
    internal const string StateFile = "trainer.json";
    internal const string BestModelFile = "best_model.pt";
}
