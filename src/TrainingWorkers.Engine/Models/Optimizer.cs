using System.Globalization;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Native;

namespace TrainingWorkers.Engine.Models;

/// <summary>An optimizer over a model's trainable parameters, with the L1 penalty and gradient clipping.</summary>
public sealed class Optimizer : IDisposable
{
    private readonly OptimizerHandle _handle;

    private Optimizer(OptimizerHandle handle) => _handle = handle;

    internal OptimizerHandle Handle => _handle;

    /// <param name="fineTune">Gives the backbone its own learning rate, when it sets one.</param>
    public static Optimizer Create(Model model, TrainingSpec training, FineTuneSpec? fineTune = null)
    {
        var options = Options(training);
        if (fineTune?.BackboneLearningRate is { } backbone) options += " " + Pair("backbone_lr_scale", backbone / training.LearningRate);
        var status = NativeMethods.OptimizerCreate(model.Handle, options, out var handle);
        if (status != 0)
        {
            handle.Dispose();
            Status.Check(status, "building the optimizer");
        }

        var optimizer = new Optimizer(handle);
        // float16's range is narrow: small gradients underflow to 0 without loss scaling.
        if (training.Precision == Precision.Fp16) optimizer.UseLossScaler(new LossScaler());
        return optimizer;
    }

    /// <summary>The loss scaling of an fp16 run; null when the loss is not scaled.</summary>
    public LossScaler? LossScaler { get; private set; }

    /// <summary>Scales every following step's loss by the scaler's scale (any precision; fp16 is what needs it).</summary>
    internal void UseLossScaler(LossScaler scaler)
    {
        LossScaler = scaler;
        SetLossScale(scaler.Scale);
    }

    /// <summary>Gives the scaler a checkpoint's state.</summary>
    internal void RestoreLossScaler(LossScalerState state)
    {
        if (LossScaler is null) return;
        LossScaler.Restore(state);
        SetLossScale(LossScaler.Scale);
    }

    /// <summary>After each training step: lets the scaler see whether an optimizer step overflowed, and passes on a new scale.</summary>
    internal void StepCompleted()
    {
        if (LossScaler is not { } scaler) return;
        Status.Check(NativeMethods.OptimizerLastStep(_handle, out var outcome), "reading the step's outcome");
        if (outcome == StepAccumulated) return;
        var before = scaler.Scale;
        scaler.Update(overflowed: outcome == StepSkipped);
        if (scaler.Scale != before) SetLossScale(scaler.Scale);
    }

    /// <summary>Whether the last training step skipped its optimizer step for inf/NaN gradients (loss scaling only).</summary>
    internal bool LastStepSkipped
    {
        get
        {
            Status.Check(NativeMethods.OptimizerLastStep(_handle, out var outcome), "reading the step's outcome");
            return outcome == StepSkipped;
        }
    }

    private void SetLossScale(double scale) => Status.Check(NativeMethods.OptimizerSetLossScale(_handle, scale), "setting the loss scale");

    // tw_step_outcome in tw.h.
    private const int StepAccumulated = 0;
    private const int StepSkipped = 2;

    /// <summary>The option text the shim reads ("type key=value ..."); unset fields keep PyTorch's defaults.</summary>
    internal static string Options(TrainingSpec training)
    {
        var o = training.Optimizer;
        var parts = new List<string> { o.Type.ToString().ToLowerInvariant(), Pair("lr", training.LearningRate), Pair("weight_decay", training.WeightDecay) };
        void Add(string key, double? value)
        {
            if (value is { } v) parts.Add(Pair(key, v));
        }

        Add("momentum", o.Momentum);
        if (o.Nesterov) parts.Add("nesterov=1");
        Add("beta1", o.Beta1);
        Add("beta2", o.Beta2);
        Add("eps", o.Eps);
        Add("alpha", o.Alpha);
        Add("rho", o.Rho);
        if (training.L1 > 0) parts.Add(Pair("l1", training.L1));
        Add("clip_norm", training.GradClipNorm);
        return string.Join(' ', parts);
    }

    public void SetLearningRate(double lr) => Status.Check(NativeMethods.OptimizerSetLr(_handle, lr), "setting the learning rate");

    public byte[] SaveState()
    {
        Status.Check(NativeMethods.OptimizerSave(_handle, out var data, out var length), "saving the optimizer");
        return Status.TakeBuffer(data, length);
    }

    public unsafe void LoadState(ReadOnlySpan<byte> state)
    {
        fixed (byte* p = state)
        {
            Status.Check(NativeMethods.OptimizerLoad(_handle, p, state.Length), "loading the optimizer state");
        }
    }

    public void Dispose() => _handle.Dispose();

    private static string Pair(string key, double value) => $"{key}={value.ToString("R", CultureInfo.InvariantCulture)}";
}
