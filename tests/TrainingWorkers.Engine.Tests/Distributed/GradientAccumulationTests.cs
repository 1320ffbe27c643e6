using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Tests.Distributed;

[Collection(TorchGlobalState.Name)]
public class GradientAccumulationTests
{
    [Fact]
    public void Plan_GroupsOfThree_WeighBySizeAndStepOnTheLast()
    {
        // 10 examples in batches of 4: micro-steps of 4, 4, 2; one group of three.
        var plan = Enumerable.Range(0, 3).Select(s => GradientAccumulation.Plan(s, 3, 3, 4, 10)).ToList();

        Assert.Equal([0.4, 0.4, 0.2], plan.Select(p => p.Weight));
        Assert.Equal([true, true, false], plan.Select(p => p.AccumulateOnly));
    }

    [Fact]
    public void Plan_EpochEndsMidGroup_LastStepSteps()
    {
        var (weight, accumulateOnly) = GradientAccumulation.Plan(4, 5, 4, 8, 40);

        Assert.Equal(1.0, weight);
        Assert.False(accumulateOnly);
    }

    [Fact]
    public void TrainStep_TwoAccumulatedHalves_EqualOneFullBatch()
    {
        var definition = new ModelDefinition("input 6\nlinear 6 8\nrelu\nhead\nlinear 8 3\n", [6], 3, LossKind.CrossEntropy);
        var random = new Random(3);
        var x = Enumerable.Range(0, 16 * 6).Select(_ => (float)random.NextDouble()).ToArray();
        var y = Enumerable.Range(0, 16).Select(i => (long)(i % 3)).ToArray();
        var training = new TrainingSpec { LearningRate = 0.1, Optimizer = new OptimizerSpec { Type = OptimizerType.Sgd, Momentum = 0.9 } };

        Torch.ManualSeed(5);
        using var whole = Model.Create(definition, "cpu");
        using var wholeOptimizer = Optimizer.Create(whole, training);
        Torch.ManualSeed(5);
        using var halves = Model.Create(definition, "cpu");
        using var halvesOptimizer = Optimizer.Create(halves, training);
        for (var step = 0; step < 3; step++)
        {
            whole.TrainStep(wholeOptimizer, x, y, 16);
            halvesOptimizer.SetAccumulation(0.5, accumulateOnly: true);
            halves.TrainStep(halvesOptimizer, x.AsSpan(0, 8 * 6), y.AsSpan(0, 8), 8);
            halvesOptimizer.SetAccumulation(0.5, accumulateOnly: false);
            halves.TrainStep(halvesOptimizer, x.AsSpan(8 * 6), y.AsSpan(8), 8);
        }

        var a = whole.CopyParameters();
        var b = halves.CopyParameters();
        Assert.True(a.Zip(b, (p, q) => Math.Abs(p - q)).Max() < 1e-6);
        // And the accumulation really held the step back: a half-batch step alone differs.
        halvesOptimizer.SetAccumulation(1.0, accumulateOnly: false);
        halves.TrainStep(halvesOptimizer, x.AsSpan(0, 8 * 6), y.AsSpan(0, 8), 8);
        Assert.True(halves.CopyParameters().Zip(a, (p, q) => Math.Abs(p - q)).Max() > 1e-4);
    }
}
