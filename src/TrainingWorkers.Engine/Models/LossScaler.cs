namespace TrainingWorkers.Engine.Models;

/// <summary>
/// Dynamic loss scaling for float16 training, with torch.cuda.amp.GradScaler's policy: the loss is
/// multiplied by <see cref="Scale"/> so small gradients survive float16; a step whose gradients
/// overflow (inf or NaN) is skipped and the scale halved; after <see cref="GrowthInterval"/> steps
/// in a row without overflow the scale doubles. The shim scales, unscales and skips; this class
/// only decides the scale.
/// </summary>
public sealed class LossScaler
{
    public const double InitialScale = 65536.0;
    public const double GrowthFactor = 2.0;
    public const double BackoffFactor = 0.5;
    public const int DefaultGrowthInterval = 2000;

    /// <param name="scale">The first scale (GradScaler's init_scale).</param>
    /// <param name="growthInterval">Good steps in a row before the scale grows.</param>
    public LossScaler(double scale = InitialScale, int growthInterval = DefaultGrowthInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(growthInterval, 1);
        Check(scale);
        Scale = scale;
        GrowthInterval = growthInterval;
    }

    public double Scale { get; private set; }
    public int GrowthInterval { get; }
    /// <summary>Optimizer steps taken since the last overflow or growth (GradScaler's growth tracker).</summary>
    public int GoodSteps { get; private set; }
    /// <summary>Optimizer steps skipped for inf/NaN gradients since this scaler was created.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>After an optimizer step: whether its unscaled gradients held inf or NaN (it was skipped).</summary>
    public void Update(bool overflowed)
    {
        if (overflowed)
        {
            Scale *= BackoffFactor;
            GoodSteps = 0;
            SkippedSteps++;
            return;
        }

        if (++GoodSteps < GrowthInterval) return;
        GoodSteps = 0;
        // GradScaler keeps the scale in a float32 tensor and does not grow it past float32's range.
        var grown = Scale * GrowthFactor;
        if (grown <= float.MaxValue) Scale = grown;
    }

    /// <summary>What a checkpoint keeps, so a resumed run scales exactly as the uninterrupted one.</summary>
    public LossScalerState State => new(Scale, GoodSteps);

    public void Restore(LossScalerState state)
    {
        Check(state.Scale);
        ArgumentOutOfRangeException.ThrowIfNegative(state.GoodSteps);
        (Scale, GoodSteps) = (state.Scale, state.GoodSteps);
    }

    private static void Check(double scale)
    {
        if (!double.IsFinite(scale) || scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the loss scale must be finite and > 0");
    }
}

/// <summary>A <see cref="LossScaler"/>'s state in a checkpoint (trainer.json).</summary>
public sealed record LossScalerState(double Scale, int GoodSteps);
