using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Native;
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
            throw new JobInputException("training.precision", $"fp16 needs a CUDA device, and training.device {training.Device} is {device} here (libtorch sees no GPU): use bf16 or fp32 on cpu");
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
        // The allow-list first: whether a file exists outside it is none of the job's business.
        var path = model.Path!;
        policy.Check(path, "model.path");
        if (!File.Exists(path)) throw new JobInputException("model.path", "does not exist", path);
        var input = "input " + string.Join(' ', inputShape) + "\n";
        if (spec.FineTune is not { ReplaceHead: true }) return Script(new ModelDefinition(input, inputShape, outputs, loss, path), device, "model.path");

        // A new head on the script's features: learn their width from the script itself first.
        long features;
        using (var probe = Script(new ModelDefinition(input, inputShape, 0, loss, path, model.FeaturesMethod), device, "model.features_method", check: false))
        {
            features = probe.OutputSize;
        }

        var head = model.Dropout > 0 ? FormattableString.Invariant($"dropout {model.Dropout}\n") : "";
        var layers = $"{input}head\n{head}linear {features} {outputs}\n";
        return Script(new ModelDefinition(layers, inputShape, outputs, loss, path, model.FeaturesMethod), device, "model.path");
    }

    // A TorchScript file that libtorch cannot load, or whose input or output does not fit the data, is the job's input at fault.
    private static Model Script(ModelDefinition definition, string device, string field, bool check = true)
    {
        Model model;
        try
        {
            model = Model.CreateUnchecked(definition, device);
        }
        catch (TorchException e) when (e.FailureKind is FailureKind.InvalidInput or FailureKind.Crashed)
        {
            throw new JobInputException(field, $"is not a TorchScript model that takes this data's input [{string.Join(", ", definition.InputShape)}]: {FirstLine(e.NativeMessage)}", definition.ScriptPath, e);
        }

        if (!check || model.OutputSize == definition.Outputs) return model;
        var outputs = model.OutputSize;
        model.Dispose();
        throw new JobInputException(field, $"gives {outputs} outputs, the data has {definition.Outputs} classes: give the script that many outputs, or set fine_tune.replace_head with model.features_method", definition.ScriptPath);
    }

    private static string FirstLine(string text) => FailureText.Bound(text.Split('\n', 2)[0].Trim(), 500);
}
