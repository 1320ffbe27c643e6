using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Native;

namespace TrainingWorkers.Engine.Tests;

public class NativeErrorTests
{
    [Fact]
    public void ModelCreate_UnknownLayer_ThrowsArgumentErrorWithNativeMessage()
    {
        var e = Assert.Throws<TorchException>(() => Model.Create(new ModelDefinition("input 4\nbogus 3\n", [4], 2, LossKind.CrossEntropy), "cpu"));
        Assert.Equal(TorchErrorKind.Argument, e.Kind);
        Assert.Contains("unknown layer 'bogus'", e.NativeMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelCreate_LayersThatDoNotFit_ThrowsTorchErrorFromLibtorch()
    {
        // 4 inputs into a layer that expects 5: libtorch's own shape check fails in the dry forward pass.
        var e = Assert.Throws<TorchException>(() => Model.Create(new ModelDefinition("input 4\nlinear 5 2\n", [4], 2, LossKind.CrossEntropy), "cpu"));
        Assert.Equal(TorchErrorKind.Torch, e.Kind);
        Assert.Contains("shapes cannot be multiplied", e.NativeMessage, StringComparison.Ordinal);
    }

    [CpuOnlyFact]
    public void ModelCreate_CudaWithoutGpu_ThrowsClearError()
    {
        var e = Assert.Throws<TorchException>(() => Model.Create(new ModelDefinition("input 4\nlinear 4 2\n", [4], 2, LossKind.CrossEntropy), "cuda"));
        Assert.Contains("no CUDA device", e.NativeMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TorchErrorKind.Argument, "unknown layer 'bogus'", FailureKind.InvalidInput)]
    [InlineData(TorchErrorKind.Torch, "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity; 77.60 GiB already allocated)", FailureKind.OutOfMemory)]
    [InlineData(TorchErrorKind.Torch, "DefaultCPUAllocator: not enough memory: you tried to allocate 1073741824 bytes.", FailureKind.OutOfMemory)]
    [InlineData(TorchErrorKind.Torch, "CUDA error: an illegal memory access was encountered", FailureKind.DeviceLost)]
    [InlineData(TorchErrorKind.Torch, "NCCL error in: ProcessGroupNCCL.cpp:1191, unhandled cuda error", FailureKind.DeviceLost)]
    [InlineData(TorchErrorKind.Torch, "PytorchStreamWriter failed writing file data/0: file write failed: No space left on device", FailureKind.DiskFull)]
    [InlineData(TorchErrorKind.Torch, "mat1 and mat2 shapes cannot be multiplied (2x4 and 5x2)", FailureKind.Crashed)]
    public void TorchError_IsSortedByWhatItSays(TorchErrorKind kind, string message, FailureKind expected)
    {
        var failure = JobFailure.From(new TorchException(kind, "a step", message));

        Assert.Equal(expected, failure.Kind);
        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadState_Garbage_ThrowsTorchError()
    {
        using var model = Model.Create(new ModelDefinition("input 4\nlinear 4 2\n", [4], 2, LossKind.CrossEntropy), "cpu");
        var e = Assert.Throws<TorchException>(() => model.LoadState(new byte[] { 1, 2, 3, 4, 5 }));
        Assert.Equal("loading the model state", e.Operation);
    }

    [Fact]
    public void OptimizerCreate_UnknownOption_NamesTheOption()
    {
        using var model = Model.Create(new ModelDefinition("input 4\nlinear 4 2\n", [4], 2, LossKind.CrossEntropy), "cpu");
        var spec = new Core.Spec.TrainingSpec { Optimizer = new Core.Spec.OptimizerSpec { Type = Core.Spec.OptimizerType.Adagrad, Rho = 0.5 } };
        var e = Assert.Throws<TorchException>(() => Optimizer.Create(model, spec));
        Assert.Contains("has no option 'rho'", e.NativeMessage, StringComparison.Ordinal);
    }
}
