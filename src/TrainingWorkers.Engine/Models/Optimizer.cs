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

        return new Optimizer(handle);
    }

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
