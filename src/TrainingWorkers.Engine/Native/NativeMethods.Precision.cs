using System.Runtime.InteropServices;

namespace TrainingWorkers.Engine.Native;

/// <summary>The mixed-precision and CUDA-setting exports of src/native/tw.h (amp.cpp).</summary>
internal static partial class NativeMethods
{
    /// <summary>tw_precision: the values of <see cref="Core.Spec.Precision"/> in its order.</summary>
    [LibraryImport(Library, EntryPoint = "tw_model_set_precision")]
    internal static partial int ModelSetPrecision(ModelHandle model, int precision);

    [LibraryImport(Library, EntryPoint = "tw_optimizer_set_loss_scale")]
    internal static partial int OptimizerSetLossScale(OptimizerHandle optimizer, double scale);

    /// <summary>tw_step_outcome: 0 accumulated (no optimizer step), 1 taken, 2 skipped for inf/NaN gradients.</summary>
    [LibraryImport(Library, EntryPoint = "tw_optimizer_last_step")]
    internal static partial int OptimizerLastStep(OptimizerHandle optimizer, out int outcome);

    [LibraryImport(Library, EntryPoint = "tw_set_cudnn_benchmark")]
    internal static partial int SetCudnnBenchmark(int enabled);

    [LibraryImport(Library, EntryPoint = "tw_get_cudnn_benchmark")]
    internal static partial int GetCudnnBenchmark(out int enabled);
}
