using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>
/// The fleet stack and the image's CloudWatch agent agree: the stack creates the log group the agent writes to,
/// grants the agent exactly its calls, and the dashboard reads the GPU metrics by the names the agent publishes.
/// The expectations are read from the agent's file itself, not through the stack's reader of it.
/// </summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed partial class AgentContractTests(SynthesizedFleet synth)
{
    private static readonly JsonObject Agent = JsonNode.Parse(File.ReadAllText(Repository.Path(CloudWatchAgentConfiguration.File.Split('/'))))!.AsObject();

    private static string Namespace => (string)Agent["metrics"]!["namespace"]!;

    private static IReadOnlyList<string> LogGroups =>
        Agent["logs"]!["logs_collected"]!["files"]!["collect_list"]!.AsArray().Select(f => (string)f!["log_group_name"]!).Distinct().ToList();

    [Fact]
    public void Stack_CreatesTheLogGroupsTheAgentWritesTo_Conditionally()
    {
        var groups = SynthesizedFleet.Resources(synth.FleetJson, "AWS::Logs::LogGroup").Select(g => g.Resource).ToList();

        Assert.Equal(["/trainingworkers/worker"], LogGroups);
        Assert.Equal(LogGroups, groups.Select(g => (string)g["Properties"]!["LogGroupName"]!));
        Assert.All(groups, g =>
        {
            Assert.Equal(30, (int)g["Properties"]!["RetentionInDays"]!);
            Assert.Equal("Retain", (string?)g["DeletionPolicy"]);
            Assert.NotNull(g["Condition"]);
        });
    }

    [Fact]
    public void Role_GrantsTheAgent_StreamsInItsGroups_Tags_AndMetricsInItsNamespaceOnly()
    {
        var agent = Statements().Where(s => ((string)s["Sid"]!).StartsWith(CloudWatchAgentPolicy.SidPrefix, StringComparison.Ordinal)).ToList();

        var logs = Assert.Single(agent, s => Strings(s["Action"]).Contains("logs:PutLogEvents"));
        Assert.Equal(["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], Strings(logs["Action"]));
        var resources = logs["Resource"]!.ToJsonString();
        Assert.All(LogGroups, g => Assert.Contains($":log-group:{g}:*", resources, StringComparison.Ordinal));
        var tags = Assert.Single(agent, s => Strings(s["Action"]).Contains("ec2:DescribeTags"));
        Assert.Equal(["ec2:DescribeTags"], Strings(tags["Action"]));
        var metrics = Assert.Single(agent, s => Strings(s["Action"]).Contains("cloudwatch:PutMetricData"));
        Assert.Equal(Namespace, (string?)metrics["Condition"]!["StringEquals"]!["cloudwatch:namespace"]);
        Assert.Equal(3, agent.Count);
    }

    [Fact]
    public void Dashboards_EveryGpuMetric_IsOneTheAgentPublishes_RolledUpByGroup()
    {
        var measurements = Agent["metrics"]!["metrics_collected"]!["nvidia_gpu"]!["measurement"]!.AsArray().Select(m => (string)m!).ToHashSet();
        var fleet = DashboardBody(synth.FleetJson);
        var named = GpuMetricName().Matches(fleet + DashboardBody(synth.DataPlaneJson)).Select(m => m.Value).ToHashSet();
        var read = GroupGpuMetric().Matches(fleet).Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Equal(["nvidia_smi_memory_total", "nvidia_smi_memory_used", "nvidia_smi_utilization_gpu"], read.Order());
        Assert.Equal(read.Order(), named.Order());
        Assert.All(named, n => Assert.Contains(n[CloudWatchAgentConfiguration.GpuMetricPrefix.Length..], measurements));
        Assert.Contains("[\"AutoScalingGroupName\"]", Agent["metrics"]!["aggregation_dimensions"]!.AsArray().Select(d => d!.ToJsonString()));
    }

    private static string DashboardBody(JsonObject template)
    {
        var body = SynthesizedFleet.Single(template, "AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"]!;
        return body is JsonObject join
            ? string.Concat(join["Fn::Join"]![1]!.AsArray().Select(p => p is JsonValue v ? v.GetValue<string>() : "REF"))
            : body.GetValue<string>();
    }

    private IEnumerable<JsonObject> Statements() =>
        SynthesizedFleet.Resources(synth.FleetJson, "AWS::IAM::Policy").SelectMany(r => r.Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject());

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [node!.GetValue<string>()];

    [GeneratedRegex("nvidia_smi_[a-z_]+")]
    private static partial Regex GpuMetricName();

    // A metric of a graph: [namespace, name, dimension, value, ...]; the agent's namespace is TrainingWorkers.
    [GeneratedRegex("""\["TrainingWorkers","(nvidia_smi_[a-z_]+)","AutoScalingGroupName",""")]
    private static partial Regex GroupGpuMetric();
}
