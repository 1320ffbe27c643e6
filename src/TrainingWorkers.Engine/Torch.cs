using TrainingWorkers.Core.Failures;
using System.Runtime.InteropServices;
using TrainingWorkers.Engine.Native;

namespace TrainingWorkers.Engine;

/// <summary>Process-wide libtorch settings. Call <see cref="Initialize"/> once at start-up.</summary>
public static class Torch
{
    private static volatile bool _initialized;

    /// <summary>Loads the shim and libtorch, tunes malloc and sets the intra-op thread count (0: one per core).</summary>
    public static void Initialize(int threads = 0)
    {
        NativeLibraryLoader.EnsureLoaded();
        Status.Check(NativeMethods.Init(threads > 0 ? threads : Environment.ProcessorCount), "tw_init");
        _initialized = true;
    }

    /// <summary>
    /// Loads the shim (and so libtorch) without initializing it, and says from where and which paths failed
    /// before; unlike <see cref="Initialize"/> a missing library is reported, not thrown.
    /// </summary>
    public static NativeLibraryReport Load() => NativeLibraryLoader.TryLoad();

    /// <summary>Initializes with the defaults unless <see cref="Initialize"/> already ran.</summary>
    public static void EnsureInitialized()
    {
        if (!_initialized) Initialize();
    }

    public static int Threads
    {
        get
        {
            EnsureInitialized();
            Status.Check(NativeMethods.GetNumThreads(out var threads), "tw_get_num_threads");
            return threads;
        }
    }

    /// <summary>The libtorch version the shim was built against, e.g. 1.13.1.</summary>
    public static string Version
    {
        get
        {
            EnsureInitialized();
            Status.Check(NativeMethods.TorchVersion(out var version), "tw_torch_version");
            return Marshal.PtrToStringUTF8(version) ?? "";
        }
    }

    public static int CudaDeviceCount
    {
        get
        {
            EnsureInitialized();
            Status.Check(NativeMethods.CudaDeviceCount(out var count), "tw_cuda_device_count");
            return count;
        }
    }

    /// <summary>The CUDA runtime and cuDNN this libtorch was built with (no GPU needed to ask).</summary>
    public static CudaBuild CudaBuild
    {
        get
        {
            EnsureInitialized();
            Status.Check(NativeMethods.CudaBuildInfo(out var runtime, out var cudnn), "tw_cuda_build_info");
            return new CudaBuild(runtime, cudnn);
        }
    }

    /// <summary>cuDNN's benchmark mode (process-wide): time the convolution algorithms once per shape and keep the fastest. Matters only on CUDA.</summary>
    public static bool CudnnBenchmark
    {
        get
        {
            EnsureInitialized();
            Status.Check(NativeMethods.GetCudnnBenchmark(out var enabled), "tw_get_cudnn_benchmark");
            return enabled != 0;
        }
        set
        {
            EnsureInitialized();
            Status.Check(NativeMethods.SetCudnnBenchmark(value ? 1 : 0), "tw_set_cudnn_benchmark");
        }
    }

    /// <summary>Seeds libtorch's generators (weight init, dropout).</summary>
    public static void ManualSeed(ulong seed)
    {
        EnsureInitialized();
        Status.Check(NativeMethods.ManualSeed(seed), "tw_manual_seed");
    }

    /// <summary>The CPU generator's state (dropout masks), saved in checkpoints for exact resume.</summary>
    public static byte[] GetRandomState()
    {
        EnsureInitialized();
        Status.Check(NativeMethods.RngGetState(out var data, out var length), "tw_rng_get_state");
        return Status.TakeBuffer(data, length);
    }

    public static unsafe void SetRandomState(ReadOnlySpan<byte> state)
    {
        EnsureInitialized();
        fixed (byte* p = state)
        {
            Status.Check(NativeMethods.RngSetState(p, state.Length), "restoring the random generator state");
        }
    }

    /// <summary>
    /// Resolves a spec's device: <c>auto</c> is CUDA when libtorch sees a GPU, else CPU. A CUDA device this
    /// machine does not have is bad input naming <c>training.device</c>.
    /// </summary>
    public static string ResolveDevice(string device)
    {
        if (device == "auto") return CudaDeviceCount > 0 ? "cuda" : "cpu";
        if (!device.StartsWith("cuda", StringComparison.Ordinal)) return device;
        var count = CudaDeviceCount;
        var index = device.Length > 5 && int.TryParse(device.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : 0;
        if (count == 0) throw new JobInputException("training.device", $"is {device}, but libtorch sees no GPU on this machine (a CPU build of libtorch, or no driver): use auto or cpu");
        if (index >= count) throw new JobInputException("training.device", $"is {device}, but this machine has {count} GPU(s) (cuda:0..cuda:{count - 1})");
        return device;
    }
}
