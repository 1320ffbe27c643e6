namespace TrainingWorkers.Core.Spec;

public enum OptimizerType
{
    Sgd,
    Adam,
    Adamw,
    Rmsprop,
    Adagrad,
    Adadelta,
}

/// <summary>The precision of the forward pass and loss (autocast); parameters and the optimizer stay float32.</summary>
public enum Precision
{
    Fp32,
    /// <summary>Autocast to bfloat16, on CUDA and on CPU.</summary>
    Bf16,
    /// <summary>Autocast to float16 with dynamic loss scaling; CUDA only.</summary>
    Fp16,
}

public enum ScheduleType
{
    Constant,
    Step,
    Cosine,
}

/// <summary>How to train: the loop's settings, the optimizer, regularization and the LR schedule.</summary>
public sealed record TrainingSpec
{
    public int Epochs { get; init; } = 10;
    /// <summary>
    /// Examples per micro-batch on each rank. One optimizer step sees BatchSize x ranks x
    /// <see cref="GradientAccumulationSteps"/> examples (the global batch).
    /// </summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Micro-batches whose gradients add up before one optimizer step (and one all-reduce).</summary>
    public int GradientAccumulationSteps { get; init; } = 1;
    public double LearningRate { get; init; } = 1e-3;
    public OptimizerSpec Optimizer { get; init; } = new();
    /// <summary>L2 penalty, applied by the optimizer (decoupled for AdamW).</summary>
    public double WeightDecay { get; init; }
    /// <summary>L1 penalty on weight matrices and kernels, added to the loss.</summary>
    public double L1 { get; init; }
    /// <summary>Clip the global gradient norm to this value; null means no clipping.</summary>
    public double? GradClipNorm { get; init; }
    public ScheduleSpec LrSchedule { get; init; } = new();
    public ulong Seed { get; init; } = 42;
    /// <summary>Intra-op CPU threads; 0 means one per core.</summary>
    public int Threads { get; init; }
    /// <summary><c>auto</c> (CUDA when present), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Mixed precision: <c>fp16</c> needs a CUDA device.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>On CUDA, let cuDNN time its convolution algorithms and keep the fastest (libtorch's benchmark mode).</summary>
    public bool CudnnBenchmark { get; init; } = true;
    /// <summary>
    /// The longest a worker trains the job in one attempt (SageMaker's MaxRuntimeInSeconds); over it the
    /// job is stopped and Failed. Null: no limit.
    /// </summary>
    public int? MaxRuntimeSeconds { get; init; }
}

/// <summary>Optimizer settings; each applies only to the optimizers that have it.</summary>
public sealed record OptimizerSpec
{
    public OptimizerType Type { get; init; } = OptimizerType.Adam;
    public double? Momentum { get; init; }
    public bool Nesterov { get; init; }
    public double? Beta1 { get; init; }
    public double? Beta2 { get; init; }
    public double? Eps { get; init; }
    /// <summary>RMSprop's smoothing constant.</summary>
    public double? Alpha { get; init; }
    /// <summary>Adadelta's decay rate.</summary>
    public double? Rho { get; init; }
}

/// <summary>The learning rate over time: a linear warm-up, then constant, step decay or cosine decay, per epoch.</summary>
public sealed record ScheduleSpec
{
    public ScheduleType Type { get; init; } = ScheduleType.Constant;
    public int WarmupEpochs { get; init; }
    /// <summary>Step: multiply by <see cref="Gamma"/> every <see cref="StepEpochs"/> epochs.</summary>
    public int StepEpochs { get; init; } = 10;
    public double Gamma { get; init; } = 0.1;
    /// <summary>Cosine: the rate reached at the last epoch.</summary>
    public double MinLearningRate { get; init; }
}
