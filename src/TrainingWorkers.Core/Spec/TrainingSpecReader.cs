using System.Text.Json;

namespace TrainingWorkers.Core.Spec;

internal static class TrainingSpecReader
{
    public static TrainingSpec Read(SpecReader? r)
    {
        var defaults = new TrainingSpec();
        if (r is null) return defaults;
        var device = r.String("device", defaults.Device)!;
        if (!IsDevice(device)) r.Error("device", $"must be auto, cpu, cuda or cuda:N, got \"{device}\"");
        var spec = new TrainingSpec
        {
            Epochs = r.Int("epochs", defaults.Epochs, v => v is >= 0 and <= 100_000, "must be between 0 (evaluate only) and 100000"),
            BatchSize = r.Int("batch_size", defaults.BatchSize, v => v is >= 1 and <= 1 << 20, "must be between 1 and 1048576"),
            GradientAccumulationSteps = r.Int("gradient_accumulation_steps", 1, v => v is >= 1 and <= 1024, "must be between 1 and 1024"),
            LearningRate = r.Number("learning_rate", defaults.LearningRate, v => v > 0, "must be > 0"),
            Optimizer = ReadOptimizer(r),
            WeightDecay = r.Number("weight_decay", 0, v => v >= 0, "must be >= 0"),
            L1 = r.Number("l1", 0, v => v >= 0, "must be >= 0"),
            GradClipNorm = r.NullableNumber("grad_clip_norm", v => v > 0, "must be > 0"),
            LrSchedule = ReadSchedule(r.Object("lr_schedule")),
            Seed = r.ULong("seed", defaults.Seed),
            Threads = r.Int("threads", 0, v => v is >= 0 and <= 1024, "must be between 0 (one per core) and 1024"),
            Device = device,
            Precision = r.Enum("precision", Precision.Fp32),
            CudnnBenchmark = r.Bool("cudnn_benchmark", defaults.CudnnBenchmark),
            MaxRuntimeSeconds = r.NullableInt("max_runtime_seconds", v => v is >= 1 and <= 28 * 24 * 3600, "must be between 1 and 2419200 (28 days)"),
        };
        if (spec.LrSchedule.WarmupEpochs >= spec.Epochs && spec.LrSchedule.WarmupEpochs > 0)
        {
            r.Error("lr_schedule.warmup_epochs", $"must be less than training.epochs ({spec.Epochs}), got {spec.LrSchedule.WarmupEpochs}");
        }

        // libtorch's CPU autocast is bfloat16 only; a device chosen at run time (auto) is checked there.
        if (spec.Precision == Precision.Fp16 && device == "cpu") r.Error("precision", "fp16 needs a CUDA device (training.device is cpu): use bf16 or fp32 on cpu");
        r.RejectUnknownFields();
        return spec;
    }

    private static OptimizerSpec ReadOptimizer(SpecReader r)
    {
        // "optimizer": "sgd" is short for {"type": "sgd"}.
        if (r.Kind("optimizer") == JsonValueKind.String) return new OptimizerSpec { Type = r.Enum("optimizer", OptimizerType.Adam) };
        var o = r.Object("optimizer");
        if (o is null) return new OptimizerSpec();
        var type = o.Enum("type", OptimizerType.Adam);
        var name = SpecReader.SnakeCase(type);
        bool Allowed(string field, params OptimizerType[] types)
        {
            if (types.Contains(type)) return true;
            o.Forbid(field, $"does not apply to {name} (only to {string.Join(", ", types.Select(SpecReader.SnakeCase))})");
            return false;
        }

        var spec = new OptimizerSpec { Type = type };
        if (Allowed("momentum", OptimizerType.Sgd, OptimizerType.Rmsprop)) spec = spec with { Momentum = o.NullableNumber("momentum", v => v is >= 0 and < 1, "must be >= 0 and < 1") };
        if (Allowed("nesterov", OptimizerType.Sgd)) spec = spec with { Nesterov = o.Bool("nesterov", false) };
        if (spec.Nesterov && (spec.Momentum ?? 0) <= 0) o.Error("nesterov", "needs momentum > 0");
        if (Allowed("beta1", OptimizerType.Adam, OptimizerType.Adamw)) spec = spec with { Beta1 = o.NullableNumber("beta1", v => v is >= 0 and < 1, "must be >= 0 and < 1") };
        if (Allowed("beta2", OptimizerType.Adam, OptimizerType.Adamw)) spec = spec with { Beta2 = o.NullableNumber("beta2", v => v is >= 0 and < 1, "must be >= 0 and < 1") };
        if (Allowed("alpha", OptimizerType.Rmsprop)) spec = spec with { Alpha = o.NullableNumber("alpha", v => v is > 0 and < 1, "must be > 0 and < 1") };
        if (Allowed("rho", OptimizerType.Adadelta)) spec = spec with { Rho = o.NullableNumber("rho", v => v is > 0 and < 1, "must be > 0 and < 1") };
        if (Allowed("eps", OptimizerType.Adam, OptimizerType.Adamw, OptimizerType.Rmsprop, OptimizerType.Adagrad, OptimizerType.Adadelta))
        {
            spec = spec with { Eps = o.NullableNumber("eps", v => v > 0, "must be > 0") };
        }

        o.RejectUnknownFields();
        return spec;
    }

    private static ScheduleSpec ReadSchedule(SpecReader? r)
    {
        var defaults = new ScheduleSpec();
        if (r is null) return defaults;
        var type = r.Enum("type", ScheduleType.Constant);
        var spec = new ScheduleSpec
        {
            Type = type,
            WarmupEpochs = r.Int("warmup_epochs", 0, v => v >= 0, "must be >= 0"),
            StepEpochs = type == ScheduleType.Step ? r.Int("step_epochs", defaults.StepEpochs, v => v >= 1, "must be >= 1") : defaults.StepEpochs,
            Gamma = type == ScheduleType.Step ? r.Number("gamma", defaults.Gamma, v => v is > 0 and <= 1, "must be > 0 and <= 1") : defaults.Gamma,
            MinLearningRate = type == ScheduleType.Cosine ? r.Number("min_learning_rate", 0, v => v >= 0, "must be >= 0") : 0,
        };
        if (type != ScheduleType.Step)
        {
            r.Forbid("step_epochs", "applies to the step schedule only");
            r.Forbid("gamma", "applies to the step schedule only");
        }

        if (type != ScheduleType.Cosine) r.Forbid("min_learning_rate", "applies to the cosine schedule only");
        r.RejectUnknownFields();
        return spec;
    }

    public static EarlyStoppingSpec? ReadEarlyStopping(SpecReader root, DataSpec? data)
    {
        var r = root.Object("early_stopping");
        var defaults = new EarlyStoppingSpec();
        if (r is null) return HasValidation(data) ? defaults : null;
        if (!r.Bool("enabled", true))
        {
            r.RejectUnknownFields();
            return null;
        }

        var spec = new EarlyStoppingSpec
        {
            Monitor = r.String("monitor", defaults.Monitor)!,
            Mode = r.Enum("mode", MonitorMode.Auto),
            Patience = r.Int("patience", defaults.Patience, v => v >= 1, "must be >= 1"),
            MinDelta = r.Number("min_delta", 0, v => v >= 0, "must be >= 0"),
            RestoreBestWeights = r.Bool("restore_best_weights", true),
        };
        if (data is not null)
        {
            var known = MetricNames.Epoch(data.Task);
            if (!known.Contains(spec.Monitor)) r.Error("monitor", $"must be one of {string.Join(", ", known)}, got \"{spec.Monitor}\"");
            else if (spec.Monitor.StartsWith("val_", StringComparison.Ordinal) && !HasValidation(data))
            {
                r.Error("monitor", $"\"{spec.Monitor}\" needs validation data: set data.validation_split > 0 or data.validation");
            }
        }

        r.RejectUnknownFields();
        return spec;
    }

    public static CheckpointSpec ReadCheckpointing(SpecReader? r)
    {
        var defaults = new CheckpointSpec();
        if (r is null) return defaults;
        var spec = new CheckpointSpec
        {
            Directory = r.String("directory", null),
            EveryEpochs = r.Int("every_epochs", defaults.EveryEpochs, v => v >= 1, "must be >= 1"),
            EverySteps = r.NullableInt("every_steps", v => v >= 1, "must be >= 1"),
            KeepLast = r.Int("keep_last", defaults.KeepLast, v => v >= 1, "must be >= 1"),
        };
        r.RejectUnknownFields();
        return spec;
    }

    private static bool HasValidation(DataSpec? data) => data is null || data.Validation is not null || data.ValidationSplit > 0;

    private static bool IsDevice(string device) =>
        device is "auto" or "cpu" or "cuda" ||
        (device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device.AsSpan(5), out var i) && i >= 0);
}
