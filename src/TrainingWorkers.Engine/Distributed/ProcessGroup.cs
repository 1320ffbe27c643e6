using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Native;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce(Span{double}, ReduceOp)"/> combines the ranks' values.</summary>
public enum ReduceOp
{
    Sum = 0,
    Max = 1,
    Min = 2,
}

/// <summary>
/// One rank's membership of a c10d process group (libtorch's TCPStore rendezvous; Gloo on CPU,
/// NCCL on CUDA). Every collective fails after the group's timeout instead of hanging; a dead
/// peer surfaces as a <see cref="TorchException"/> in the survivors.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    private readonly ProcessGroupHandle _handle;

    private ProcessGroup(ProcessGroupHandle handle, int rank, int worldSize)
    {
        _handle = handle;
        Rank = rank;
        WorldSize = worldSize;
    }

    public int Rank { get; }
    public int WorldSize { get; }

    /// <summary>Whether the shim was built with a backend: <c>gloo</c> or <c>nccl</c>.</summary>
    public static bool HasBackend(string backend)
    {
        Torch.EnsureInitialized();
        Status.Check(NativeMethods.DistHasBackend(backend, out var available), "tw_dist_has_backend");
        return available != 0;
    }

    /// <summary>Joins the group; blocks until every rank joined or <paramref name="timeout"/> passed.</summary>
    /// <param name="device"><c>cpu</c> (Gloo) or <c>cuda:N</c> (NCCL, N = LOCAL_RANK).</param>
    public static ProcessGroup Join(string device, string masterAddress, int masterPort, int rank, int worldSize, TimeSpan timeout)
    {
        Torch.EnsureInitialized();
        var status = NativeMethods.DistCreate(device, masterAddress, masterPort, rank, worldSize, checked((int)timeout.TotalMilliseconds), out var handle);
        if (status != 0)
        {
            handle.Dispose();
            Status.Check(status, $"joining the process group at {masterAddress}:{masterPort} as rank {rank} of {worldSize} (timeout {timeout.TotalSeconds} s)");
        }

        return new ProcessGroup(handle, rank, worldSize);
    }

    /// <summary>
    /// Broadcasts rank 0's parameters and buffers, then makes every step of <paramref name="optimizer"/>
    /// average the gradients over the ranks (flat buckets of at most <paramref name="bucketBytes"/>).
    /// </summary>
    public void Attach(Model model, Optimizer optimizer, long bucketBytes = 25L << 20) =>
        Status.Check(NativeMethods.DistAttach(_handle, model.Handle, optimizer.Handle, bucketBytes), "making the model data-parallel");

    public unsafe void AllReduce(Span<double> values, ReduceOp op = ReduceOp.Sum)
    {
        if (values.IsEmpty) return;
        fixed (double* p = values)
        {
            Status.Check(NativeMethods.DistAllReduce(_handle, p, values.Length, 0, (int)op), "all-reducing values across ranks");
        }
    }

    public unsafe void AllReduce(Span<float> values, ReduceOp op = ReduceOp.Sum)
    {
        if (values.IsEmpty) return;
        fixed (float* p = values)
        {
            Status.Check(NativeMethods.DistAllReduce(_handle, p, values.Length, 1, (int)op), "all-reducing values across ranks");
        }
    }

    /// <summary>Rank 0's bytes on every rank (other ranks pass anything, e.g. empty).</summary>
    public unsafe byte[] Broadcast(ReadOnlySpan<byte> rootBytes)
    {
        fixed (byte* p = rootBytes)
        {
            Status.Check(NativeMethods.DistBroadcastBytes(_handle, p, rootBytes.Length, out var data, out var length), "broadcasting from rank 0");
            return Status.TakeBuffer(data, length);
        }
    }

    public void Barrier() => Status.Check(NativeMethods.DistBarrier(_handle), "waiting at the barrier");

    /// <summary>Asks every rank to stop after the next step; safe from any thread.</summary>
    public void RequestStop() => Status.Check(NativeMethods.DistRequestStop(_handle), "tw_dist_request_stop");

    /// <summary>Whether some rank asked to stop; every rank sees it after the same step.</summary>
    public bool StopAgreed
    {
        get
        {
            Status.Check(NativeMethods.DistStopAgreed(_handle, out var agreed), "tw_dist_stop_agreed");
            return agreed != 0;
        }
    }

    /// <summary>Time in gradient synchronization so far, the steps it covers and the bytes all-reduced per step.</summary>
    public (TimeSpan Time, long Steps, long BytesPerStep) SyncStats
    {
        get
        {
            Status.Check(NativeMethods.DistSyncStats(_handle, out var seconds, out var steps, out var bytes), "tw_dist_sync_stats");
            return (TimeSpan.FromSeconds(seconds), steps, bytes);
        }
    }

    public void Dispose() => _handle.Dispose();
}
