namespace TrainingWorkers.Core.Spec;

internal static class FineTuneSpecReader
{
    public static FineTuneSpec? Read(SpecReader? r, ModelSpec model, TrainingSpec training)
    {
        if (r is null) return null;
        var spec = new FineTuneSpec
        {
            From = r.String("from", null),
            Freeze = r.StringArray("freeze") ?? [],
            ReplaceHead = r.Bool("replace_head", false),
            BackboneLearningRate = r.NullableNumber("backbone_learning_rate", v => v > 0, "must be > 0"),
            UnfreezeAfterEpochs = r.NullableInt("unfreeze_after_epochs", v => v >= 1, "must be >= 1"),
        };
        var script = model.Type == ModelType.Torchscript;
        if (spec.From is null && !script) r.Error("from", "is required: a run directory, checkpoint directory or model.pt with the pretrained weights");
        if (spec.ReplaceHead && script && model.FeaturesMethod is null)
        {
            r.Error("replace_head", "needs model.features_method: the TorchScript method that returns the features under the old head");
        }

        if (spec.UnfreezeAfterEpochs is { } after)
        {
            if (spec.Freeze.Count == 0) r.Error("unfreeze_after_epochs", "needs something to unfreeze: set freeze");
            else if (after >= training.Epochs) r.Error("unfreeze_after_epochs", $"must be less than training.epochs ({training.Epochs}), got {after}");
        }

        foreach (var (pattern, i) in spec.Freeze.Select((p, i) => (p, i)).Where(p => string.IsNullOrWhiteSpace(p.p)))
        {
            r.Error($"freeze[{i}]", "must not be empty");
        }

        r.RejectUnknownFields();
        return spec;
    }
}
