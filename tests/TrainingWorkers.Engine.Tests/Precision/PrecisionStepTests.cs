using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Native;

namespace TrainingWorkers.Engine.Tests.Precision;

/// <summary>
/// Single steps through the shim on CPU: autocast to bf16, and the loss scaling (scale the loss,
/// unscale the gradients, skip on inf/NaN) in float32: fp16 itself needs a GPU, but the scaling
/// path is the same code.
/// </summary>
public class PrecisionStepTests
{
    private static readonly ModelDefinition Mlp = new("input 6\nlinear 6 16\nrelu\nhead\nlinear 16 3\n", [6], 3, LossKind.CrossEntropy);
    private static readonly TrainingSpec Adam = new() { LearningRate = 0.01, GradClipNorm = 1.0 };

    private static (float[] X, long[] Y) Batch(int seed, int n, float magnitude = 1f)
    {
        var random = new Random(seed);
        var x = new float[n * 6];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1) * magnitude;
        var y = new long[n];
        for (var i = 0; i < n; i++) y[i] = random.Next(3);
        return (x, y);
    }

    private static float[] Train(LossScaler? scaler, int steps)
    {
        Torch.ManualSeed(11);
        using var model = Model.Create(Mlp, "cpu");
        using var optimizer = Optimizer.Create(model, Adam);
        if (scaler is not null) optimizer.UseLossScaler(scaler);
        for (var s = 0; s < steps; s++)
        {
            var (x, y) = Batch(s, 8);
            model.TrainStep(optimizer, x, y, 8);
        }

        return model.CopyParameters();
    }

    [Fact]
    public void TrainStep_PowerOfTwoScale_TrainsAsWithout()
    {
        var plain = Train(null, 30);
        var scaler = new LossScaler(growthInterval: 10);
        var scaled = Train(scaler, 30);

        // Scaling by 2^k and back is exact in binary floating point barring overflow and underflow.
        Assert.Equal(plain, scaled);
        Assert.Equal(0, scaler.SkippedSteps);
        Assert.Equal(65536.0 * 8, scaler.Scale); // grew after steps 10, 20 and 30
    }

    [Fact]
    public void TrainStep_OverflowingScale_SkipsTheStepThenBacksOffUntilItTrains()
    {
        Torch.ManualSeed(12);
        using var model = Model.Create(Mlp, "cpu");
        using var optimizer = Optimizer.Create(model, Adam);
        var scaler = new LossScaler(scale: Math.Pow(2, 127));
        optimizer.UseLossScaler(scaler);
        var (x, y) = Batch(1, 8, magnitude: 1000f);
        var before = model.CopyParameters();

        model.TrainStep(optimizer, x, y, 8);
        Assert.True(optimizer.LastStepSkipped);
        Assert.Equal(before, model.CopyParameters());
        Assert.Equal(Math.Pow(2, 126), scaler.Scale);

        var steps = 1;
        while (optimizer.LastStepSkipped && steps < 200)
        {
            model.TrainStep(optimizer, x, y, 8);
            steps++;
        }

        Assert.False(optimizer.LastStepSkipped);
        Assert.Equal(steps - 1, scaler.SkippedSteps);
        Assert.NotEqual(before, model.CopyParameters());
        Assert.All(model.CopyParameters(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void TrainStep_Accumulating_UpdatesTheScalerOnlyAtTheOptimizerStep()
    {
        Torch.ManualSeed(13);
        using var model = Model.Create(Mlp, "cpu");
        using var optimizer = Optimizer.Create(model, Adam);
        var scaler = new LossScaler();
        optimizer.UseLossScaler(scaler);
        var (x, y) = Batch(2, 8);

        optimizer.SetAccumulation(0.5, accumulateOnly: true);
        model.TrainStep(optimizer, x, y, 8);
        Assert.Equal(0, scaler.GoodSteps);
        optimizer.SetAccumulation(0.5, accumulateOnly: false);
        model.TrainStep(optimizer, x, y, 8);
        Assert.Equal(1, scaler.GoodSteps);
    }

    [Fact]
    public void SetPrecision_Fp16OnCpu_IsRefused()
    {
        using var model = Model.Create(Mlp, "cpu");
        var e = Assert.Throws<TorchException>(() => model.SetPrecision(Core.Spec.Precision.Fp16));
        Assert.Equal(TorchErrorKind.Argument, e.Kind);
        Assert.Contains("fp16 autocast needs a CUDA device", e.NativeMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Bf16OnCpu_GivesProbabilitiesCloseToFloat32s()
    {
        Torch.ManualSeed(14);
        using var model = Model.Create(Mlp, "cpu");
        var (x, y) = Batch(3, 16);
        var full = new float[16 * 3];
        var half = new float[16 * 3];
        var fullLoss = model.Evaluate(x, y, 16, full);
        model.SetPrecision(Core.Spec.Precision.Bf16);
        var halfLoss = model.Evaluate(x, y, 16, half);

        Assert.NotEqual(full, half); // autocast did change the arithmetic
        for (var i = 0; i < 16; i++) Assert.Equal(1.0, half[i * 3] + half[(i * 3) + 1] + half[(i * 3) + 2], 5);
        Assert.True(full.Zip(half, (a, b) => Math.Abs(a - b)).Max() < 0.02);
        Assert.Equal(fullLoss, halfLoss, 0.1);
    }

    [Fact]
    public void TrainStep_Bf16Regression_LowersTheLoss()
    {
        Torch.ManualSeed(15);
        using var model = Model.Create(new ModelDefinition("input 6\nlinear 6 16\ntanh\nhead\nlinear 16 2\n", [6], 2, LossKind.MeanSquaredError), "cpu");
        model.SetPrecision(Core.Spec.Precision.Bf16);
        using var optimizer = Optimizer.Create(model, Adam);
        var (x, _) = Batch(4, 16);
        var targets = new float[16 * 2];
        for (var i = 0; i < 16; i++) (targets[i * 2], targets[(i * 2) + 1]) = (x[i * 6] + x[(i * 6) + 1], x[(i * 6) + 2] * 0.5f);

        var first = model.TrainStep(optimizer, x, targets, 16).Loss;
        var last = first;
        for (var s = 0; s < 100; s++) last = model.TrainStep(optimizer, x, targets, 16).Loss;
        Assert.True(last < first * 0.2, $"loss {first} -> {last}");
        var predictions = new float[16 * 2];
        Assert.True(double.IsFinite(model.Evaluate(x, targets, 16, predictions)));
    }
}
