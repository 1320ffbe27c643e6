using System.Text.Json;

namespace TrainingWorkers.Core.Spec;

internal static class AugmentSpecReader
{
    /// <summary><c>{"random_resized_crop": true | {"scale": [a, b], "ratio": [a, b]}, "horizontal_flip": true}</c>.</summary>
    public static AugmentSpec? Read(SpecReader? r)
    {
        if (r is null) return null;
        var defaults = new AugmentSpec();
        IReadOnlyList<double>? scale = null;
        var ratio = defaults.CropRatio;
        if (r.Kind("random_resized_crop") is JsonValueKind.True or JsonValueKind.False)
        {
            if (r.Bool("random_resized_crop", false)) scale = [0.08, 1.0];
        }
        else if (r.Object("random_resized_crop") is { } crop)
        {
            scale = Pair(crop, "scale", [0.08, 1.0], v => v is > 0 and <= 1, "must be > 0 and <= 1");
            ratio = Pair(crop, "ratio", ratio, v => v is > 0 and <= 100, "must be > 0 and <= 100");
            crop.RejectUnknownFields();
        }

        var flip = r.Bool("horizontal_flip", false);
        r.RejectUnknownFields();
        return new AugmentSpec { CropScale = scale, CropRatio = ratio, HorizontalFlip = flip };
    }

    private static IReadOnlyList<double> Pair(SpecReader r, string name, IReadOnlyList<double> fallback, Func<double, bool> rule, string ruleText)
    {
        var values = DataSpecReader.NumberArray(r, name, rule, ruleText);
        if (values is null) return fallback;
        if (values.Count != 2 || values[0] > values[1]) r.Error(name, "must be [min, max] with min <= max");
        return values.Count == 2 ? values : fallback;
    }
}
