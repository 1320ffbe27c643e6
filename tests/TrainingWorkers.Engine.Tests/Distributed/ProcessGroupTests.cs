using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Tests.Distributed;

/// <summary>A group of one rank in this process: the shim's c10d calls work end to end (more ranks: the CLI tests).</summary>
[Collection(TorchGlobalState.Name)]
public class ProcessGroupTests
{
    // The Debian libtorch build every CPU machine of this project uses has Gloo.
    [CpuOnlyFact]
    public void Shim_IsBuiltWithGloo() => Assert.True(ProcessGroup.HasBackend("gloo"));

    [GlooFact]
    public void GroupOfOne_CollectivesAndTheGradientHook_Work()
    {
        using var group = ProcessGroup.Join("cpu", "127.0.0.1", LaunchOptions.FreePort(), 0, 1, TimeSpan.FromSeconds(10));
        double[] values = [1.5, -2, 3];
        group.AllReduce(values, ReduceOp.Max);
        Assert.Equal([1.5, -2, 3], values);
        Assert.Equal([1, 2, 3, 4], group.Broadcast([1, 2, 3, 4]));
        group.Barrier();

        var definition = new ModelDefinition("input 4\nlinear 4 5\nrelu\nhead\nlinear 5 2\n", [4], 2, LossKind.CrossEntropy);
        using var model = Model.Create(definition, "cpu");
        using var optimizer = Optimizer.Create(model, new TrainingSpec());
        group.Attach(model, optimizer);
        model.TrainStep(optimizer, new float[8], new long[] { 0, 1 }, 2);
        var (_, steps, bytes) = group.SyncStats;
        Assert.Equal(1, steps);
        // One flat bucket: every gradient (4*5+5+5*2+2 floats) and the stop flag.
        Assert.Equal((37 + 1) * 4, bytes);

        Assert.False(group.StopAgreed);
        group.RequestStop();
        model.TrainStep(optimizer, new float[8], new long[] { 0, 1 }, 2);
        Assert.True(group.StopAgreed);
    }

    [GpuFact]
    public void GroupOfOneOnCuda_NcclAveragesThroughTheHook()
    {
        Assert.True(ProcessGroup.HasBackend("nccl"), "a shim that sees a GPU should be built with NCCL");
        using var group = ProcessGroup.Join("cuda:0", "127.0.0.1", LaunchOptions.FreePort(), 0, 1, TimeSpan.FromSeconds(30));
        var definition = new ModelDefinition("input 4\nlinear 4 5\nrelu\nhead\nlinear 5 2\n", [4], 2, LossKind.CrossEntropy);
        using var model = Model.Create(definition, "cuda:0");
        using var optimizer = Optimizer.Create(model, new TrainingSpec());
        group.Attach(model, optimizer);
        model.TrainStep(optimizer, new float[8], new long[] { 0, 1 }, 2);
        double[] values = [2, 3];
        group.AllReduce(values);

        Assert.Equal(1, group.SyncStats.Steps);
        Assert.Equal([2, 3], values);
    }

    [Fact]
    public void Join_RankOutsideTheWorld_IsAnArgumentError()
    {
        var e = Assert.Throws<Native.TorchException>(() => ProcessGroup.Join("cpu", "127.0.0.1", LaunchOptions.FreePort(), 2, 2, TimeSpan.FromSeconds(1)));
        Assert.Equal(Native.TorchErrorKind.Argument, e.Kind);
        Assert.Contains("rank must be in [0, 2), got 2", e.Message, StringComparison.Ordinal);
    }
}
