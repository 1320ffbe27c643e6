using System.Runtime.InteropServices;

namespace TrainingWorkers.Engine.Native;

/// <summary>Owns a tw_model*. Dispose it deterministically: on a GPU it holds device memory.</summary>
internal sealed class ModelHandle : SafeHandle
{
    public ModelHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => NativeMethods.ModelFree(handle) == 0;
}

/// <summary>Owns a tw_optimizer*. Free it before its model.</summary>
internal sealed class OptimizerHandle : SafeHandle
{
    public OptimizerHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => NativeMethods.OptimizerFree(handle) == 0;
}
