namespace TrainingWorkers.Engine.Tests;

/// <summary>What the shim reports about the libtorch it was built against (tw doctor shows it), and where it was loaded from.</summary>
public class CudaBuildTests
{
    [Theory]
    [InlineData(12040, 90100, "12.4", "9.1.0")]
    [InlineData(11080, 8902, "11.8", "8.9.2")]
    [InlineData(13000, 91200, "13.0", "9.12.0")]
    public void Versions_AreWrittenAsCudaAndCudnnNumberThem(int runtime, long cudnn, string cuda, string cudnnVersion)
    {
        var build = new CudaBuild(runtime, cudnn);
        Assert.Equal((cuda, cudnnVersion), (build.CudaVersion, build.CudnnVersion));
        Assert.True(build.HasCuda && build.HasCudnn);
    }

    [Fact]
    public void CpuBuild_HasNeitherVersion()
    {
        var build = new CudaBuild(0, 0);
        Assert.Equal(((string?)null, (string?)null, false), (build.CudaVersion, build.CudnnVersion, build.HasCuda));
    }

    [CpuOnlyFact]
    public void Torch_CudaBuild_OfDebiansLibtorch_IsACpuBuild()
    {
        Assert.Equal(new CudaBuild(0, 0), Torch.CudaBuild);
    }

    [GpuFact]
    public void Torch_CudaBuild_OfACudaLibtorch_NamesCudaAndCudnn()
    {
        var build = Torch.CudaBuild;
        Assert.True(build.HasCuda && build.HasCudnn, $"CUDA {build.CudaRuntime}, cuDNN {build.Cudnn}");
    }

    [Fact]
    public void Torch_Load_SaysWhereTheShimCameFrom()
    {
        var report = Torch.Load();
        Assert.NotNull(report.LoadedFrom);
        Assert.True(File.Exists(report.LoadedFrom), report.LoadedFrom);
        Assert.Equal("libtw_native.so", Path.GetFileName(report.LoadedFrom));
        // Loading again answers from the first load.
        Assert.Same(report, Torch.Load());
    }
}
