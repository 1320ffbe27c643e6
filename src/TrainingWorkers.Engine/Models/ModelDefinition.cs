namespace TrainingWorkers.Engine.Models;

/// <summary>What the loss compares: class ids (cross entropy) or real values (mean squared error).</summary>
public enum LossKind
{
    CrossEntropy,
    MeanSquaredError,
}

/// <summary>A model as the shim builds it: the layer list (grammar in src/native/model.cpp) and its shapes.</summary>
/// <param name="InputShape">The shape of one sample, e.g. [1, 28, 28] or [784].</param>
/// <param name="Outputs">Classes for cross entropy; targets per sample for MSE.</param>
/// <param name="ScriptPath">A TorchScript model that runs first (the whole model, or a backbone under the layers).</param>
/// <param name="ScriptMethod">The TorchScript method to call (null: forward).</param>
public sealed record ModelDefinition(string Layers, IReadOnlyList<int> InputShape, int Outputs, LossKind Loss, string? ScriptPath = null, string? ScriptMethod = null)
{
    public int InputSize => InputShape.Aggregate(1, (a, b) => a * b);
}
