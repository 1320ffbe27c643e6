using System.Text.Json;

namespace TrainingWorkers.Deploy;

/// <summary>
/// The CloudWatch agent's configuration as the image installs it (<see cref="File"/>, built into this app): the fleet
/// stack grants the agent's AWS calls, creates its log groups and draws its GPU metrics from what this file says,
/// so the stack and the image cannot drift apart. A rule the stack relies on that the file breaks is an
/// <see cref="ImageContractException"/> naming the field.
/// </summary>
public sealed class CloudWatchAgentConfiguration
{
    /// <summary>The file in the repository (the image installs it as the agent's trainingworkers.json).</summary>
    public const string File = "ami/provision/files/cloudwatch-agent.json";

    /// <summary>The agent's namespace when the file names none.</summary>
    public const string DefaultNamespace = "CWAgent";

    /// <summary>How the agent names the measurements of its <c>nvidia_gpu</c> plugin in CloudWatch: <c>utilization_gpu</c> is <c>nvidia_smi_utilization_gpu</c>.</summary>
    public const string GpuMetricPrefix = "nvidia_smi_";

    /// <summary>The dimension value the agent fills with the instance's Auto Scaling group, which it reads from the instance's tags.</summary>
    public const string GroupNamePlaceholder = "${aws:AutoScalingGroupName}";

    private const string GpuField = "metrics.metrics_collected.nvidia_gpu.measurement";

    private CloudWatchAgentConfiguration(string ns, IReadOnlyDictionary<string, string> gpuMetrics, IReadOnlyDictionary<string, string> appendDimensions,
        IReadOnlyList<IReadOnlyList<string>> aggregationDimensions, IReadOnlyList<string> logGroups)
    {
        Namespace = ns;
        GpuMetrics = gpuMetrics;
        AppendDimensions = appendDimensions;
        AggregationDimensions = aggregationDimensions;
        LogGroups = logGroups;
    }

    /// <summary>The namespace of every metric the agent publishes.</summary>
    public string Namespace { get; }

    /// <summary>The GPU measurements collected, each with its metric name in CloudWatch.</summary>
    public IReadOnlyDictionary<string, string> GpuMetrics { get; }

    /// <summary>The dimensions the agent adds to every metric, with their placeholders.</summary>
    public IReadOnlyDictionary<string, string> AppendDimensions { get; }

    /// <summary>The dimension sets the agent also publishes every metric under (its roll-ups).</summary>
    public IReadOnlyList<IReadOnlyList<string>> AggregationDimensions { get; }

    /// <summary>The log groups the agent writes the instance's files to.</summary>
    public IReadOnlyList<string> LogGroups { get; }

    /// <summary>Whether the agent reads the instance's tags (for the group's name): it then calls <c>ec2:DescribeTags</c>.</summary>
    public bool ReadsInstanceTags => AppendDimensions.Values.Contains(GroupNamePlaceholder, StringComparer.Ordinal);

    /// <summary>The configuration the image installs.</summary>
    public static CloudWatchAgentConfiguration FromImage()
    {
        using var stream = typeof(CloudWatchAgentConfiguration).Assembly.GetManifestResourceStream("cloudwatch-agent.json")
            ?? throw new InvalidOperationException($"{File} is not built into {typeof(CloudWatchAgentConfiguration).Assembly.GetName().Name} (see its project file)");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Reads an agent configuration; <see cref="ImageContractException"/> when it breaks a rule of the stack's.</summary>
    public static CloudWatchAgentConfiguration Parse(string json)
    {
        try
        {
            return Read(json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            // Not JSON, or a field of the wrong kind (GetString on a number, a measurement object without "name").
            throw new ImageContractException(File, "$", $"must be the agent's JSON with the fields it documents: {e.Message}");
        }
    }

    private static CloudWatchAgentConfiguration Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var metrics = Property(root, "metrics");
        var ns = metrics is { } m && Property(m, "namespace") is { } n ? n.GetString()! : DefaultNamespace;

        var gpu = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metrics is { } ms && Property(ms, "metrics_collected") is { } collected && Property(collected, "nvidia_gpu") is { } plugin
            && Property(plugin, "measurement") is { } measurements)
        {
            foreach (var entry in measurements.EnumerateArray())
            {
                // A measurement is a name, or an object with its name and maybe a new name for CloudWatch.
                var name = entry.ValueKind == JsonValueKind.String ? entry.GetString()! : entry.GetProperty("name").GetString()!;
                gpu[name] = entry.ValueKind == JsonValueKind.Object && Property(entry, "rename") is { } rename ? rename.GetString()! : GpuMetricPrefix + name;
            }
        }

        var append = metrics is { } ma && Property(ma, "append_dimensions") is { } a
            ? a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var aggregation = metrics is { } mg && Property(mg, "aggregation_dimensions") is { } g
            ? g.EnumerateArray().Select(set => (IReadOnlyList<string>)set.EnumerateArray().Select(d => d.GetString()!).ToList()).ToList()
            : [];
        return new CloudWatchAgentConfiguration(ns, gpu, append, aggregation, LogGroupsOf(root));
    }

    /// <summary>The CloudWatch name of a GPU measurement the stack shows; an error when the agent does not collect it.</summary>
    public string GpuMetric(string measurement) => GpuMetrics.TryGetValue(measurement, out var name) ? name
        : throw new ImageContractException(File, GpuField, $"must collect '{measurement}' (the fleet dashboard shows it), collects: {string.Join(", ", GpuMetrics.Keys)}");

    /// <summary>Checks that the agent publishes its metrics under exactly <paramref name="dimensions"/> too (a roll-up the dashboard reads).</summary>
    public void RequireAggregation(params string[] dimensions)
    {
        if (!AggregationDimensions.Any(set => set.Order(StringComparer.Ordinal).SequenceEqual(dimensions.Order(StringComparer.Ordinal), StringComparer.Ordinal)))
        {
            throw new ImageContractException(File, "metrics.aggregation_dimensions", $"must hold [{string.Join(", ", dimensions)}] (the fleet dashboard reads that roll-up)");
        }

        foreach (var d in dimensions.Where(d => !AppendDimensions.ContainsKey(d)))
        {
            throw new ImageContractException(File, "metrics.append_dimensions", $"must append {d} (aggregation_dimensions rolls up by it)");
        }
    }

    private static List<string> LogGroupsOf(JsonElement root)
    {
        var groups = new List<string>();
        if (Property(root, "logs") is not { } logs || Property(logs, "logs_collected") is not { } collected || Property(collected, "files") is not { } files) return groups;
        var index = 0;
        foreach (var entry in files.GetProperty("collect_list").EnumerateArray())
        {
            var field = $"logs.logs_collected.files.collect_list[{index++}]";
            var name = Property(entry, "log_group_name")?.GetString()
                ?? throw new ImageContractException(File, field + ".log_group_name", "must be set (the stack creates the group and grants the agent on it)");
            // The agent expands {instance_id}, {hostname}...: a group named so could not be created by the stack.
            if (name.Length is 0 or > 512 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or '#'))
            {
                throw new ImageContractException(File, field + ".log_group_name", $"must be a fixed log group name (letters, digits, . - _ / #; the stack creates it), got '{name}'");
            }

            if (Property(entry, "retention_in_days") is not null)
            {
                throw new ImageContractException(File, field + ".retention_in_days", "must not be set: the fleet stack sets the group's retention (the agent would need logs:PutRetentionPolicy)");
            }

            if (!groups.Contains(name, StringComparer.Ordinal)) groups.Add(name);
        }

        return groups;
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;
}
