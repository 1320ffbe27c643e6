using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Native;

namespace TrainingWorkers.Engine.Models;

/// <summary>A network in libtorch: trained and evaluated one batch per call. Dispose it when done.</summary>
public sealed class Model : IDisposable
{
    private readonly ModelHandle _handle;

    private Model(ModelHandle handle, ModelDefinition definition, string device)
    {
        _handle = handle;
        Definition = definition;
        Device = device;
    }

    public ModelDefinition Definition { get; }
    public string Device { get; }
    /// <summary>The autocast precision of the forward pass and loss; see <see cref="SetPrecision"/>.</summary>
    public Precision Precision { get; private set; } = Precision.Fp32;
    internal ModelHandle Handle => _handle;

    /// <summary>Builds the network on a device ("cpu", "cuda", "cuda:1"), initialized from libtorch's current seed.</summary>
    public static Model Create(ModelDefinition definition, string device)
    {
        var model = CreateUnchecked(definition, device);
        if (model.OutputSize != definition.Outputs)
        {
            model.Dispose();
            throw new JobInputException("model", $"the model has {model.OutputSize} outputs, the data needs {definition.Outputs}");
        }

        return model;
    }

    /// <summary>Builds the network without comparing its outputs to the definition's (to learn a TorchScript backbone's width).</summary>
    internal static Model CreateUnchecked(ModelDefinition definition, string device)
    {
        Torch.EnsureInitialized();
        var loss = definition.Loss == LossKind.CrossEntropy ? "cross_entropy" : "mse";
        var status = NativeMethods.ModelCreate(definition.Layers, loss, device, definition.ScriptPath, definition.ScriptMethod, out var handle);
        if (status != 0)
        {
            handle.Dispose();
            Status.Check(status, "building the model");
        }

        return new Model(handle, definition, device);
    }

    public long OutputSize
    {
        get
        {
            Status.Check(NativeMethods.ModelOutputSize(_handle, out var size), "tw_model_output_size");
            return size;
        }
    }

    public (long Total, long Trainable) ParameterCount
    {
        get
        {
            Status.Check(NativeMethods.ModelParameterCount(_handle, out var total, out var trainable), "tw_model_parameter_count");
            return (total, trainable);
        }
    }

    /// <summary>One optimizer step on a classification batch of <paramref name="n"/> rows.</summary>
    public unsafe StepResult TrainStep(Optimizer optimizer, ReadOnlySpan<float> x, ReadOnlySpan<long> labels, int n)
    {
        CheckBatch(x, n, labels.Length, n, LossKind.CrossEntropy);
        fixed (float* xp = x)
        fixed (long* yp = labels)
        {
            Status.Check(NativeMethods.TrainStep(_handle, optimizer.Handle, xp, yp, n, out var loss, out var correct), "training step");
            optimizer.StepCompleted();
            return new StepResult(loss, correct);
        }
    }

    /// <summary>One optimizer step on a regression batch: <paramref name="targets"/> holds n * outputs values.</summary>
    public unsafe StepResult TrainStep(Optimizer optimizer, ReadOnlySpan<float> x, ReadOnlySpan<float> targets, int n)
    {
        CheckBatch(x, n, targets.Length, n * Definition.Outputs, LossKind.MeanSquaredError);
        fixed (float* xp = x)
        fixed (float* yp = targets)
        {
            Status.Check(NativeMethods.TrainStep(_handle, optimizer.Handle, xp, yp, n, out var loss, out _), "training step");
            optimizer.StepCompleted();
            return new StepResult(loss, 0);
        }
    }

    /// <summary>Evaluates a classification batch: returns the summed loss and fills n * classes probabilities.</summary>
    public unsafe double Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<long> labels, int n, Span<float> outputs)
    {
        CheckBatch(x, n, labels.Length, n, LossKind.CrossEntropy);
        CheckOutputs(outputs, n);
        fixed (float* xp = x)
        fixed (long* yp = labels)
        fixed (float* op = outputs)
        {
            Status.Check(NativeMethods.EvalStep(_handle, xp, yp, n, out var lossSum, op), "evaluation step");
            return lossSum;
        }
    }

    /// <summary>Evaluates a regression batch: returns the summed squared error and fills n * outputs predictions.</summary>
    public unsafe double Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<float> targets, int n, Span<float> outputs)
    {
        CheckBatch(x, n, targets.Length, n * Definition.Outputs, LossKind.MeanSquaredError);
        CheckOutputs(outputs, n);
        fixed (float* xp = x)
        fixed (float* yp = targets)
        fixed (float* op = outputs)
        {
            Status.Check(NativeMethods.EvalStep(_handle, xp, yp, n, out var lossSum, op), "evaluation step");
            return lossSum;
        }
    }

    /// <summary>
    /// Autocasts the forward pass and loss of every following train and eval step (bf16: CUDA or CPU;
    /// fp16: CUDA only, and an optimizer wants loss scaling then). Parameters stay float32.
    /// </summary>
    public void SetPrecision(Precision precision)
    {
        Status.Check(NativeMethods.ModelSetPrecision(_handle, (int)precision), "setting the precision");
        Precision = precision;
    }

    /// <summary>The parameters and buffers (batch-norm statistics) in libtorch's archive format.</summary>
    public byte[] SaveState()
    {
        Status.Check(NativeMethods.ModelSave(_handle, out var data, out var length), "saving the model");
        return Status.TakeBuffer(data, length);
    }

    /// <summary>
    /// Loads what <see cref="SaveState"/> wrote: all of it, or only a <paramref name="part"/>
    /// ("backbone", "head"). Names and shapes are checked before anything changes.
    /// </summary>
    public unsafe void LoadState(ReadOnlySpan<byte> state, string? part = null)
    {
        fixed (byte* p = state)
        {
            Status.Check(NativeMethods.ModelLoad(_handle, p, state.Length, part), "loading the model state");
        }
    }

    /// <summary>Freezes or unfreezes the parameters a part name ("backbone", "head") or a glob ("backbone.0.*") selects; returns how many.</summary>
    public long SetTrainable(string pattern, bool trainable)
    {
        Status.Check(NativeMethods.ModelSetTrainable(_handle, pattern, trainable ? 1 : 0, out var matched), "freezing parameters");
        return matched;
    }

    /// <summary>The model as TorchScript, for <c>torch.jit.load</c>; its forward returns logits (or raw predictions).</summary>
    public byte[] ExportTorchScript()
    {
        Status.Check(NativeMethods.ModelExport(_handle, out var data, out var length), "exporting to TorchScript");
        return Status.TakeBuffer(data, length);
    }

    public void Dispose() => _handle.Dispose();

    private void CheckBatch(ReadOnlySpan<float> x, int n, int targetLength, int expectedTargets, LossKind loss)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (Definition.Loss != loss) throw new InvalidOperationException($"this model's loss is {Definition.Loss}, not {loss}");
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (x.Length < n * Definition.InputSize) throw new ArgumentException($"x holds {x.Length} values, a batch of {n} needs {n * Definition.InputSize}", nameof(x));
        if (targetLength < expectedTargets) throw new ArgumentException($"the targets hold {targetLength} values, a batch of {n} needs {expectedTargets}");
    }

    private void CheckOutputs(Span<float> outputs, int n)
    {
        if (outputs.Length < n * Definition.Outputs) throw new ArgumentException($"outputs holds {outputs.Length} values, a batch of {n} needs {n * Definition.Outputs}", nameof(outputs));
    }
}

/// <summary>The mean loss of a training batch and, for classification, how many it got right.</summary>
public readonly record struct StepResult(float Loss, long Correct);
