namespace TrainingWorkers.Core.Spec;

internal static class ModelSpecReader
{
    public static ModelSpec Read(SpecReader? r, DataSpec? data)
    {
        var defaults = new ModelSpec();
        if (r is null) return defaults;
        var type = r.Enum("type", ModelType.Mlp);
        if (type != ModelType.Mlp && data is { Format: DataFormat.Csv })
        {
            r.Error("type", $"{SpecReader.SnakeCase(type)} needs image data (data.format idx, image_folder or webdataset); use mlp for CSV features");
        }

        var spec = defaults with
        {
            Type = type,
            Activation = r.Enum("activation", defaults.Activation),
            Dropout = r.Number("dropout", type == ModelType.Mlp ? defaults.Dropout : 0.3, v => v is >= 0 and < 1, "must be >= 0 and < 1"),
        };

        if (type == ModelType.Torchscript)
        {
            var path = r.String("path", null);
            if (path is null) r.Error("path", "is required for a torchscript model: the file torch.jit.save wrote");
            spec = spec with { Path = path, FeaturesMethod = r.String("features_method", null), Hidden = [] };
            foreach (var field in new[] { "hidden", "activation", "batch_norm", "conv", "stages", "blocks_per_stage" })
            {
                r.Forbid(field, "does not apply to torchscript (the model file defines the architecture)");
            }

            r.RejectUnknownFields();
            return spec;
        }

        r.Forbid("path", "applies to torchscript only");
        r.Forbid("features_method", "applies to torchscript only");
        if (type == ModelType.Resnet)
        {
            r.Forbid("hidden", "does not apply to resnet (its head is global pooling and one linear layer)");
            spec = spec with { Hidden = [] };
        }
        else
        {
            spec = spec with { Hidden = r.IntArray("hidden", type == ModelType.Mlp ? 1 : 0, v => v is > 0 and <= 65536, "must be between 1 and 65536") ?? (type == ModelType.Mlp ? defaults.Hidden : [128]) };
        }

        if (type == ModelType.Mlp) spec = spec with { BatchNorm = r.Bool("batch_norm", false) };
        else r.Forbid("batch_norm", "applies to mlp; conv blocks have their own batch_norm");

        if (type == ModelType.Cnn) spec = spec with { Conv = ReadConvBlocks(r) ?? defaults.Conv };
        else r.Forbid("conv", "applies to cnn only");

        if (type == ModelType.Resnet)
        {
            spec = spec with
            {
                Stages = r.IntArray("stages", 1, v => v is > 0 and <= 1024, "must be between 1 and 1024") ?? defaults.Stages,
                BlocksPerStage = r.Int("blocks_per_stage", defaults.BlocksPerStage, v => v is >= 1 and <= 16, "must be between 1 and 16"),
            };
        }
        else
        {
            r.Forbid("stages", "applies to resnet only");
            r.Forbid("blocks_per_stage", "applies to resnet only");
        }

        r.RejectUnknownFields();
        return spec;
    }

    private static IReadOnlyList<ConvBlockSpec>? ReadConvBlocks(SpecReader r)
    {
        var items = r.Array("conv", 1);
        if (items is null) return null;
        var blocks = new List<ConvBlockSpec>();
        foreach (var (element, path) in items)
        {
            var b = r.Element(element, path);
            if (b is null) continue;
            var filters = b.NullableInt("filters", v => v is > 0 and <= 4096, "must be between 1 and 4096");
            if (filters is null && !b.Has("filters")) b.Error("filters", "is required");
            var block = new ConvBlockSpec(filters ?? 1)
            {
                Kernel = b.Int("kernel", 3, v => v is >= 1 and <= 11 && v % 2 == 1, "must be an odd number between 1 and 11"),
                Layers = b.Int("layers", 1, v => v is >= 1 and <= 4, "must be between 1 and 4"),
                BatchNorm = b.Bool("batch_norm", true),
                Pool = b.Int("pool", 2, v => v is >= 1 and <= 4, "must be between 1 (no pooling) and 4"),
                Dropout = b.Number("dropout", 0, v => v is >= 0 and < 1, "must be >= 0 and < 1"),
            };
            b.RejectUnknownFields();
            blocks.Add(block);
        }

        return blocks;
    }
}
