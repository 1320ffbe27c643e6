using System.Runtime.InteropServices;

namespace TrainingWorkers.Engine.Native;

/// <summary>The exports of src/native/tw.h. Every one returns a status: 0 is success.</summary>
internal static partial class NativeMethods
{
    internal const string Library = "tw_native";

    [LibraryImport(Library, EntryPoint = "tw_last_error")]
    internal static partial IntPtr LastError();

    [LibraryImport(Library, EntryPoint = "tw_init")]
    internal static partial int Init(int threads);

    [LibraryImport(Library, EntryPoint = "tw_get_num_threads")]
    internal static partial int GetNumThreads(out int threads);

    [LibraryImport(Library, EntryPoint = "tw_manual_seed")]
    internal static partial int ManualSeed(ulong seed);

    [LibraryImport(Library, EntryPoint = "tw_rng_get_state")]
    internal static partial int RngGetState(out IntPtr data, out long length);

    [LibraryImport(Library, EntryPoint = "tw_rng_set_state")]
    internal static unsafe partial int RngSetState(byte* data, long length);

    [LibraryImport(Library, EntryPoint = "tw_torch_version")]
    internal static partial int TorchVersion(out IntPtr version);

    [LibraryImport(Library, EntryPoint = "tw_cuda_device_count")]
    internal static partial int CudaDeviceCount(out int count);

    [LibraryImport(Library, EntryPoint = "tw_cuda_build_info")]
    internal static partial int CudaBuildInfo(out int cudaRuntime, out long cudnn);

    [LibraryImport(Library, EntryPoint = "tw_model_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ModelCreate(string layers, string loss, string device, string? scriptPath, string? scriptMethod, out ModelHandle model);

    [LibraryImport(Library, EntryPoint = "tw_model_free")]
    internal static partial int ModelFree(IntPtr model);

    [LibraryImport(Library, EntryPoint = "tw_model_parameter_count")]
    internal static partial int ModelParameterCount(ModelHandle model, out long total, out long trainable);

    [LibraryImport(Library, EntryPoint = "tw_model_output_size")]
    internal static partial int ModelOutputSize(ModelHandle model, out long size);

    [LibraryImport(Library, EntryPoint = "tw_model_save")]
    internal static partial int ModelSave(ModelHandle model, out IntPtr data, out long length);

    [LibraryImport(Library, EntryPoint = "tw_model_load", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int ModelLoad(ModelHandle model, byte* data, long length, string? part);

    [LibraryImport(Library, EntryPoint = "tw_model_set_trainable", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ModelSetTrainable(ModelHandle model, string pattern, int trainable, out long matched);

    [LibraryImport(Library, EntryPoint = "tw_model_export")]
    internal static partial int ModelExport(ModelHandle model, out IntPtr data, out long length);

    [LibraryImport(Library, EntryPoint = "tw_buffer_free")]
    internal static partial int BufferFree(IntPtr data);

    [LibraryImport(Library, EntryPoint = "tw_optimizer_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OptimizerCreate(ModelHandle model, string options, out OptimizerHandle optimizer);

    [LibraryImport(Library, EntryPoint = "tw_optimizer_free")]
    internal static partial int OptimizerFree(IntPtr optimizer);

    [LibraryImport(Library, EntryPoint = "tw_optimizer_set_lr")]
    internal static partial int OptimizerSetLr(OptimizerHandle optimizer, double lr);

    [LibraryImport(Library, EntryPoint = "tw_optimizer_save")]
    internal static partial int OptimizerSave(OptimizerHandle optimizer, out IntPtr data, out long length);

    [LibraryImport(Library, EntryPoint = "tw_optimizer_load")]
    internal static unsafe partial int OptimizerLoad(OptimizerHandle optimizer, byte* data, long length);

    [LibraryImport(Library, EntryPoint = "tw_train_step")]
    internal static unsafe partial int TrainStep(ModelHandle model, OptimizerHandle optimizer, float* x, void* y, long n,
        out float loss, out long correct);

    [LibraryImport(Library, EntryPoint = "tw_eval_step")]
    internal static unsafe partial int EvalStep(ModelHandle model, float* x, void* y, long n, out double lossSum, float* outputs);
}
