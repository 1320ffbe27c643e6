using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Native;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>Native calls data-parallel training adds to models and optimizers.</summary>
public static class ModelParameters
{
    /// <summary>Every parameter, flattened in model order, as float32: ranks of one group hold the same values.</summary>
    public static unsafe float[] CopyParameters(this Model model)
    {
        Status.Check(NativeMethods.ModelParametersCopy(model.Handle, null, 0, out var count), "counting the parameters");
        var values = new float[count];
        fixed (float* p = values)
        {
            Status.Check(NativeMethods.ModelParametersCopy(model.Handle, p, count, out _), "copying the parameters");
        }

        return values;
    }

    /// <summary>
    /// Gradient accumulation: the next steps weigh their loss by <paramref name="lossWeight"/> and,
    /// while <paramref name="accumulateOnly"/>, only add to the gradients (no sync, clip or step).
    /// </summary>
    public static void SetAccumulation(this Optimizer optimizer, double lossWeight, bool accumulateOnly) =>
        Status.Check(NativeMethods.OptimizerSetAccumulation(optimizer.Handle, lossWeight, accumulateOnly ? 1 : 0), "setting gradient accumulation");
}
