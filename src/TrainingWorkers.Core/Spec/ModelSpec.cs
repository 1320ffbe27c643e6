namespace TrainingWorkers.Core.Spec;

/// <summary>The built-in architectures.</summary>
public enum ModelType
{
    Mlp,
    Cnn,
    Resnet,
    /// <summary>The user's own PyTorch model, scripted or traced (torch.jit.save).</summary>
    Torchscript,
}

/// <summary>Activation functions of the built-in models.</summary>
public enum Activation
{
    Relu,
    Tanh,
    LeakyRelu,
    Prelu,
    Gelu,
    Swish,
}

/// <summary>The model to train. Fields that do not apply to the chosen type are rejected.</summary>
public sealed record ModelSpec
{
    public ModelType Type { get; init; } = ModelType.Mlp;
    /// <summary>Hidden layer widths: the MLP's layers, or the CNN's classifier head before the output.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [256, 128];
    public Activation Activation { get; init; } = Activation.Relu;
    /// <summary>Dropout before each hidden linear layer's output (MLP) or in the classifier head (CNN).</summary>
    public double Dropout { get; init; } = 0.2;
    /// <summary>Batch normalization after each hidden linear layer (MLP).</summary>
    public bool BatchNorm { get; init; }
    /// <summary>The CNN's convolution blocks.</summary>
    public IReadOnlyList<ConvBlockSpec> Conv { get; init; } = [new(32), new(64)];
    /// <summary>The residual network's stage widths; each stage after the first halves the resolution.</summary>
    public IReadOnlyList<int> Stages { get; init; } = [16, 32, 64];
    public int BlocksPerStage { get; init; } = 2;
    /// <summary>TorchScript: the model file; loaded only from locations the operator allows.</summary>
    public string? Path { get; init; }
    /// <summary>TorchScript: a method returning features, to use the model as a backbone under a new head (fine_tune.replace_head).</summary>
    public string? FeaturesMethod { get; init; }
}

/// <summary>conv(kernel) → [batch norm] → activation → [conv again] → [max pool] → [dropout].</summary>
public sealed record ConvBlockSpec(int Filters)
{
    public int Kernel { get; init; } = 3;
    /// <summary>Convolutions in the block (each followed by batch norm and the activation).</summary>
    public int Layers { get; init; } = 1;
    public bool BatchNorm { get; init; } = true;
    /// <summary>Max-pool window after the block; 1 means none.</summary>
    public int Pool { get; init; } = 2;
    public double Dropout { get; init; }
}
