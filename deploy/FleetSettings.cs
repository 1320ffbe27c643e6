using TrainingWorkers.Aws;

namespace TrainingWorkers.Deploy;

/// <summary>
/// What shapes the template, read from CDK context at synth time (<c>cdk synth -c fleet=team-a -c instanceTypes=g5.xlarge,g5.2xlarge</c>):
/// the fleet's name (it names every resource) and the instance types, whose count is the number of overrides in
/// the group. Everything that does not change the template's shape is a CloudFormation parameter instead.
/// </summary>
internal sealed record FleetSettings
{
    /// <summary>One GPU per instance (G5 sizes: the same A10G, more CPU and memory) first, then 4 and 8 GPUs (G5 12x, P4d).</summary>
    public static readonly IReadOnlyList<string> DefaultInstanceTypes = ["g5.xlarge", "g5.2xlarge", "g5.4xlarge", "g5.8xlarge", "g5.12xlarge", "p4d.24xlarge"];

    public string Fleet { get; init; } = "tw";

    /// <summary>The types the group launches, in on-demand priority order.</summary>
    public IReadOnlyList<string> InstanceTypes { get; init; } = DefaultInstanceTypes;

    /// <summary>
    /// P3 (V100) types: launched from their own image (<see cref="P3AmiParameter"/>) through a per-type launch
    /// template, since current Deep Learning AMIs with the open NVIDIA driver do not support Volta. None by default.
    /// </summary>
    public IReadOnlyList<string> P3InstanceTypes { get; init; } = [];

    /// <summary>The SSM parameter holding the P3 image's AMI id; required with <see cref="P3InstanceTypes"/>.</summary>
    public string? P3AmiParameter { get; init; }

    public FleetNames Names => FleetNames.For(Fleet);

    /// <summary>The settings from CDK context; a bad value is an error naming the context key and its rule.</summary>
    public static FleetSettings FromContext(Func<string, string?> context)
    {
        var fleet = context("fleet") is { Length: > 0 } f ? f : "tw";
        if (!FleetNames.IsValid(fleet)) throw new DeploySettingsException("fleet", FleetNames.Rule, fleet);
        var types = List(context("instanceTypes")) ?? DefaultInstanceTypes;
        var p3 = List(context("p3InstanceTypes")) ?? [];
        foreach (var (key, list) in new[] { ("instanceTypes", types), ("p3InstanceTypes", p3) })
        {
            foreach (var t in list.Where(t => !IsInstanceType(t))) throw new DeploySettingsException(key, "EC2 instance types such as g5.xlarge, separated by commas", t);
        }

        if (types.Count == 0) throw new DeploySettingsException("instanceTypes", "at least one instance type", "");
        if (p3.Any(t => !t.StartsWith("p3", StringComparison.Ordinal))) throw new DeploySettingsException("p3InstanceTypes", "only P3 types (p3.2xlarge, p3.8xlarge, p3.16xlarge, p3dn.24xlarge)", string.Join(',', p3));
        var p3Ami = context("p3AmiParameter");
        if (p3.Count > 0 && string.IsNullOrEmpty(p3Ami)) throw new DeploySettingsException("p3AmiParameter", "the SSM parameter of an image with the proprietary NVIDIA driver, when p3InstanceTypes is set", "");
        if (types.Count + p3.Count > 40) throw new DeploySettingsException("instanceTypes", "at most 40 types in all (Auto Scaling's limit on overrides)", (types.Count + p3.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new FleetSettings { Fleet = fleet, InstanceTypes = types, P3InstanceTypes = p3, P3AmiParameter = p3.Count > 0 ? p3Ami : null };
    }

    private static List<string>? List(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static bool IsInstanceType(string t) =>
        t.Split('.') is [var family, var size] && family.Length >= 2 && size.Length >= 4 && t.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-');
}
