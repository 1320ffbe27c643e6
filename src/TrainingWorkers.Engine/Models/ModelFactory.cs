using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Models;

/// <summary>
/// Builds a job's model: a built-in architecture, or a TorchScript model (with a new head when
/// fine-tuning asks for one), in the job's precision and, on CUDA, with its cuDNN setting.
/// </summary>
public static class ModelFactory
{
    /// <param name="device">The resolved device (not auto).</param>
    public static Model Create(JobSpec spec, IReadOnlyList<int> inputShape, int outputs, LossKind loss, string device, ModelLocationPolicy policy)
    {
        var training = spec.Training;
        var cuda = device.StartsWith("cuda", StringComparison.Ordinal);
        // The spec check catches fp16 with device cpu; device auto is known only here.
        if (training.Precision == Precision.Fp16 && !cuda)
        {
            throw new ArgumentException($"training.precision: fp16 needs a CUDA device, and training.device {training.Device} is {device} here (libtorch sees no GPU): use bf16 or fp32 on cpu");
        }

        if (cuda) Torch.CudnnBenchmark = training.CudnnBenchmark;
        var model = Build(spec, inputShape, outputs, loss, device, policy);
        try
        {
            model.SetPrecision(training.Precision);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static Model Build(JobSpec spec, IReadOnlyList<int> inputShape, int outputs, LossKind loss, string device, ModelLocationPolicy policy)
    {
        var model = spec.Model;
        if (model.Type != ModelType.Torchscript) return Model.Create(ModelBuilder.Build(model, inputShape, outputs, loss), device);
        if (!File.Exists(model.Path)) throw new FileNotFoundException($"model.path: '{model.Path}' does not exist");
        policy.Check(model.Path!, "model.path");
        var input = "input " + string.Join(' ', inputShape) + "\n";
        if (spec.FineTune is not { ReplaceHead: true }) return Model.Create(new ModelDefinition(input, inputShape, outputs, loss, model.Path), device);

        // A new head on the script's features: learn their width from the script itself first.
        long features;
        using (var probe = Model.CreateUnchecked(new ModelDefinition(input, inputShape, 0, loss, model.Path, model.FeaturesMethod), device))
        {
            features = probe.OutputSize;
        }

        var head = model.Dropout > 0 ? FormattableString.Invariant($"dropout {model.Dropout}\n") : "";
        var layers = $"{input}head\n{head}linear {features} {outputs}\n";
        return Model.Create(new ModelDefinition(layers, inputShape, outputs, loss, model.Path, model.FeaturesMethod), device);
    }
}
