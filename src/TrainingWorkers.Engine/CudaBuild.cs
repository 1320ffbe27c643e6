using System.Globalization;

namespace TrainingWorkers.Engine;

/// <summary>
/// What libtorch was built with, known without a GPU: the CUDA runtime version it was compiled against
/// (12040 for 12.4; 0 for a CPU build) and the cuDNN version compiled in (90100 for 9.1.0; 0 for none).
/// </summary>
public sealed record CudaBuild(int CudaRuntime, long Cudnn)
{
    public bool HasCuda => CudaRuntime > 0;
    public bool HasCudnn => Cudnn > 0;

    /// <summary>"12.4", or null for a CPU build.</summary>
    public string? CudaVersion => HasCuda
        ? string.Create(CultureInfo.InvariantCulture, $"{CudaRuntime / 1000}.{CudaRuntime % 1000 / 10}")
        : null;

    /// <summary>"9.1.0" (cuDNN 9 counts major * 10000; cuDNN 8 counted major * 1000), or null without cuDNN.</summary>
    public string? CudnnVersion => !HasCudnn ? null
        : Cudnn >= 10_000
            ? string.Create(CultureInfo.InvariantCulture, $"{Cudnn / 10_000}.{Cudnn % 10_000 / 100}.{Cudnn % 100}")
            : string.Create(CultureInfo.InvariantCulture, $"{Cudnn / 1000}.{Cudnn % 1000 / 100}.{Cudnn % 100}");
}
