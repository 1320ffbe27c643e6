using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Tests;

public class ModelTests
{
    private static readonly ModelDefinition Tiny = new("input 4\nlinear 4 8\nrelu\nhead\nlinear 8 3\n", [4], 3, LossKind.CrossEntropy);

    [Fact]
    public void SaveState_LoadedIntoAnotherModel_GivesTheSameOutputs()
    {
        var x = new float[] { 0.1f, -0.2f, 0.3f, 0.4f, 1, 2, 3, 4 };
        long[] y = [0, 2];
        Torch.ManualSeed(1);
        using var a = Model.Create(Tiny, "cpu");
        Torch.ManualSeed(2);
        using var b = Model.Create(Tiny, "cpu");
        var outA = new float[6];
        var outB = new float[6];
        a.Evaluate(x, y, 2, outA);
        b.Evaluate(x, y, 2, outB);
        Assert.NotEqual(outA, outB);

        b.LoadState(a.SaveState());
        b.Evaluate(x, y, 2, outB);
        Assert.Equal(outA, outB);
    }

    [Fact]
    public void Evaluate_ClassificationOutputs_AreProbabilities()
    {
        using var model = Model.Create(Tiny, "cpu");
        var outputs = new float[6];
        model.Evaluate(new float[8], new long[2], 2, outputs);
        Assert.Equal(1.0, outputs[0] + outputs[1] + outputs[2], 5);
        Assert.Equal(1.0, outputs[3] + outputs[4] + outputs[5], 5);
    }

    [Theory]
    [InlineData(OptimizerType.Sgd)]
    [InlineData(OptimizerType.Adam)]
    [InlineData(OptimizerType.Adamw)]
    [InlineData(OptimizerType.Rmsprop)]
    [InlineData(OptimizerType.Adagrad)]
    [InlineData(OptimizerType.Adadelta)]
    public void TrainStep_EachOptimizer_LowersTheLossOnAFixedBatch(OptimizerType type)
    {
        Torch.ManualSeed(3);
        using var model = Model.Create(Tiny, "cpu");
        var spec = new TrainingSpec
        {
            LearningRate = type == OptimizerType.Adadelta ? 1.0 : 0.05,
            Optimizer = new OptimizerSpec { Type = type, Momentum = type == OptimizerType.Sgd ? 0.9 : null, Nesterov = type == OptimizerType.Sgd },
            L1 = 1e-4,
            GradClipNorm = 5,
        };
        using var optimizer = Optimizer.Create(model, spec);
        var x = new float[] { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 };
        long[] y = [0, 1, 2, 0];
        var first = model.TrainStep(optimizer, x, y, 4).Loss;
        var last = first;
        for (var i = 0; i < 60; i++) last = model.TrainStep(optimizer, x, y, 4).Loss;
        Assert.True(last < first * 0.9, $"{type}: loss {first} -> {last}");
    }

    [Fact]
    public void OptimizerState_SavedAndLoaded_ContinuesIdentically()
    {
        var x = new float[] { 1, 0, 0, 0, 0, 1, 0, 0 };
        long[] y = [0, 1];
        var spec = new TrainingSpec { Optimizer = new OptimizerSpec { Type = OptimizerType.Adadelta }, LearningRate = 1.0 };
        Torch.ManualSeed(4);
        using var a = Model.Create(Tiny, "cpu");
        using var optA = Optimizer.Create(a, spec);
        for (var i = 0; i < 3; i++) a.TrainStep(optA, x, y, 2);
        using var b = Model.Create(Tiny, "cpu");
        using var optB = Optimizer.Create(b, spec);
        using var c = Model.Create(Tiny, "cpu");
        using var freshOptimizer = Optimizer.Create(c, spec);
        b.LoadState(a.SaveState());
        c.LoadState(a.SaveState());
        optB.LoadState(optA.SaveState());

        // The second step's loss depends on the first step's update, which depends on the optimizer's state.
        a.TrainStep(optA, x, y, 2);
        b.TrainStep(optB, x, y, 2);
        c.TrainStep(freshOptimizer, x, y, 2);
        var lossA = a.TrainStep(optA, x, y, 2).Loss;
        Assert.Equal(lossA, b.TrainStep(optB, x, y, 2).Loss);
        Assert.NotEqual(lossA, c.TrainStep(freshOptimizer, x, y, 2).Loss);
    }
}
