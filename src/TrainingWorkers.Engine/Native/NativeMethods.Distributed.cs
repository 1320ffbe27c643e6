using System.Runtime.InteropServices;

namespace TrainingWorkers.Engine.Native;

/// <summary>The data-parallel exports of src/native/tw.h (dist.cpp).</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Library, EntryPoint = "tw_dist_has_backend", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int DistHasBackend(string backend, out int available);

    [LibraryImport(Library, EntryPoint = "tw_dist_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int DistCreate(string device, string masterAddress, int masterPort, int rank, int worldSize, int timeoutMs,
        out ProcessGroupHandle group);

    [LibraryImport(Library, EntryPoint = "tw_dist_free")]
    internal static partial int DistFree(IntPtr group);

    [LibraryImport(Library, EntryPoint = "tw_dist_attach")]
    internal static partial int DistAttach(ProcessGroupHandle group, ModelHandle model, OptimizerHandle optimizer, long bucketBytes);

    [LibraryImport(Library, EntryPoint = "tw_dist_all_reduce")]
    internal static unsafe partial int DistAllReduce(ProcessGroupHandle group, void* values, long count, int dtype, int op);

    [LibraryImport(Library, EntryPoint = "tw_dist_broadcast_bytes")]
    internal static unsafe partial int DistBroadcastBytes(ProcessGroupHandle group, byte* data, long length, out IntPtr result, out long resultLength);

    [LibraryImport(Library, EntryPoint = "tw_dist_barrier")]
    internal static partial int DistBarrier(ProcessGroupHandle group);

    [LibraryImport(Library, EntryPoint = "tw_dist_request_stop")]
    internal static partial int DistRequestStop(ProcessGroupHandle group);

    [LibraryImport(Library, EntryPoint = "tw_dist_stop_agreed")]
    internal static partial int DistStopAgreed(ProcessGroupHandle group, out int agreed);

    [LibraryImport(Library, EntryPoint = "tw_dist_sync_stats")]
    internal static partial int DistSyncStats(ProcessGroupHandle group, out double seconds, out long steps, out long bytesPerStep);

    [LibraryImport(Library, EntryPoint = "tw_optimizer_set_accumulation")]
    internal static partial int OptimizerSetAccumulation(OptimizerHandle optimizer, double lossWeight, int accumulateOnly);

    [LibraryImport(Library, EntryPoint = "tw_model_parameters_copy")]
    internal static unsafe partial int ModelParametersCopy(ModelHandle model, float* values, long capacity, out long count);
}

/// <summary>Owns a tw_process_group*. An optimizer it is attached to keeps the group alive in the shim.</summary>
internal sealed class ProcessGroupHandle : SafeHandle
{
    public ProcessGroupHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => NativeMethods.DistFree(handle) == 0;
}
