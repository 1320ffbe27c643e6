namespace TrainingWorkers.Engine.Tests;

/// <summary>A test that needs a CUDA device; skipped, with the reason, where libtorch sees none.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (Torch.CudaDeviceCount == 0) Skip = "needs a CUDA GPU; libtorch sees none on this machine";
    }
}

/// <summary>A test of behaviour on machines without a GPU; skipped where one is present.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CpuOnlyFactAttribute : FactAttribute
{
    public CpuOnlyFactAttribute()
    {
        if (Torch.CudaDeviceCount > 0) Skip = "checks the no-GPU error; this machine has a GPU";
    }
}
