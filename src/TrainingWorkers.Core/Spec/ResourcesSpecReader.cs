using System.Globalization;

namespace TrainingWorkers.Core.Spec;

internal static class ResourcesSpecReader
{
    public static ResourcesSpec Read(SpecReader? r)
    {
        if (r is null) return new ResourcesSpec();
        var max = ResourcesSpec.MaxNodes.ToString(CultureInfo.InvariantCulture);
        var spec = new ResourcesSpec
        {
            Nodes = r.Int("nodes", 1, v => v is >= 1 and <= ResourcesSpec.MaxNodes, $"must be between 1 and {max}"),
            GpusPerNode = r.NullableInt("gpus_per_node", v => v is >= 1 and <= ResourcesSpec.MaxGpusPerNode,
                $"must be between 1 and {ResourcesSpec.MaxGpusPerNode.ToString(CultureInfo.InvariantCulture)}"),
        };
        r.RejectUnknownFields();
        return spec;
    }
}
