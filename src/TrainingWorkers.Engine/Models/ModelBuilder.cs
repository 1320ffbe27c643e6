using TrainingWorkers.Core.Failures;
using System.Text;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Models;

/// <summary>Turns a spec's model into the shim's layer list, for a given input shape and output count.</summary>
public static class ModelBuilder
{
    public static ModelDefinition Build(ModelSpec spec, IReadOnlyList<int> inputShape, int outputs, LossKind loss)
    {
        var layers = new StringBuilder();
        void Add(string line) => layers.Append(line).Append('\n');
        var act = SpecActivation(spec.Activation);
        Add("input " + string.Join(' ', inputShape));
        switch (spec.Type)
        {
            case ModelType.Mlp:
                {
                    var width = inputShape.Aggregate(1, (a, b) => a * b);
                    if (inputShape.Count > 1) Add("flatten");
                    AddDense(Add, spec, act, ref width);
                    Add("head");
                    Add($"linear {width} {outputs}");
                    break;
                }

            case ModelType.Cnn:
                {
                    var (channels, height, width) = Image(inputShape, spec.Type);
                    foreach (var block in spec.Conv)
                    {
                        for (var i = 0; i < block.Layers; i++)
                        {
                            Add($"conv2d {channels} {block.Filters} {block.Kernel}");
                            channels = block.Filters;
                            if (block.BatchNorm) Add($"batchnorm2d {channels}");
                            Add(act);
                        }

                        if (block.Pool > 1)
                        {
                            Add($"maxpool2d {block.Pool}");
                            height /= block.Pool;
                            width /= block.Pool;
                        }

                        if (block.Dropout > 0) Add(FormattableString.Invariant($"dropout {block.Dropout}"));
                    }

                    if (height < 1 || width < 1) throw new JobInputException("model.conv", $"pooling shrinks the {inputShape[1]}x{inputShape[2]} input to nothing; use fewer blocks or pool 1");
                    Add("flatten");
                    Add("head");
                    var features = channels * height * width;
                    AddDense(Add, spec, act, ref features);
                    Add($"linear {features} {outputs}");
                    break;
                }

            case ModelType.Resnet:
                {
                    var (channels, _, _) = Image(inputShape, spec.Type);
                    Add($"conv2d {channels} {spec.Stages[0]} 3");
                    Add($"batchnorm2d {spec.Stages[0]}");
                    Add(act);
                    channels = spec.Stages[0];
                    for (var s = 0; s < spec.Stages.Count; s++)
                    {
                        for (var b = 0; b < spec.BlocksPerStage; b++)
                        {
                            Add($"resblock {channels} {spec.Stages[s]} {(s > 0 && b == 0 ? 2 : 1)}");
                            channels = spec.Stages[s];
                        }
                    }

                    Add("global_avgpool");
                    Add("head");
                    if (spec.Dropout > 0) Add(FormattableString.Invariant($"dropout {spec.Dropout}"));
                    Add($"linear {channels} {outputs}");
                    break;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Type, "unknown model type");
        }

        return new ModelDefinition(layers.ToString(), inputShape, outputs, loss);
    }

    private static void AddDense(Action<string> add, ModelSpec spec, string act, ref int width)
    {
        foreach (var hidden in spec.Hidden)
        {
            add($"linear {width} {hidden}");
            if (spec.BatchNorm) add($"batchnorm1d {hidden}");
            add(act);
            if (spec.Dropout > 0) add(FormattableString.Invariant($"dropout {spec.Dropout}"));
            width = hidden;
        }
    }

    private static (int Channels, int Height, int Width) Image(IReadOnlyList<int> shape, ModelType type) => shape.Count == 3
        ? (shape[0], shape[1], shape[2])
        : throw new JobInputException("model.type", $"{type.ToString().ToLowerInvariant()} needs image input [channels, height, width], the data has shape [{string.Join(", ", shape)}]");

    private static string SpecActivation(Activation activation) => activation switch
    {
        Activation.Relu => "relu",
        Activation.Tanh => "tanh",
        Activation.LeakyRelu => "leaky_relu",
        Activation.Prelu => "prelu",
        Activation.Gelu => "gelu",
        Activation.Swish => "swish",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
