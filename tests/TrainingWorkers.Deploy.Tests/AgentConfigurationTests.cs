namespace TrainingWorkers.Deploy.Tests;

/// <summary>The stack's reader of the agent's file: what it derives, and each rule it holds the file to, by field.</summary>
public sealed class AgentConfigurationTests
{
    private const string Valid = """
        {
          "metrics": {
            "namespace": "Ns",
            "append_dimensions": { "AutoScalingGroupName": "${aws:AutoScalingGroupName}" },
            "aggregation_dimensions": [["AutoScalingGroupName"]],
            "metrics_collected": { "nvidia_gpu": { "measurement": ["utilization_gpu", { "name": "memory_used", "rename": "gpu_mem" }] } }
          },
          "logs": { "logs_collected": { "files": { "collect_list": [
            { "file_path": "/a.log", "log_group_name": "/tw/a" }, { "file_path": "/b.log", "log_group_name": "/tw/a" } ] } } }
        }
        """;

    [Fact]
    public void FromImage_TheShippedFile_ReadsItsNamespaceGroupsAndGpuMetrics()
    {
        var agent = CloudWatchAgentConfiguration.FromImage();

        Assert.Equal("TrainingWorkers", agent.Namespace);
        Assert.Equal(["/trainingworkers/worker"], agent.LogGroups);
        Assert.Equal("nvidia_smi_utilization_gpu", agent.GpuMetric("utilization_gpu"));
        Assert.True(agent.ReadsInstanceTags);
        agent.RequireAggregation("AutoScalingGroupName");
    }

    [Fact]
    public void Parse_RenamedMeasurementsAndRepeatedGroups_AreReadAsTheAgentDoes()
    {
        var agent = CloudWatchAgentConfiguration.Parse(Valid);

        Assert.Equal("gpu_mem", agent.GpuMetric("memory_used"));
        Assert.Equal("nvidia_smi_utilization_gpu", agent.GpuMetric("utilization_gpu"));
        Assert.Equal(["/tw/a"], agent.LogGroups);
    }

    [Fact]
    public void Parse_NoNamespace_IsTheAgentsDefault()
    {
        Assert.Equal(CloudWatchAgentConfiguration.DefaultNamespace, CloudWatchAgentConfiguration.Parse("""{ "metrics": { "metrics_collected": {} } }""").Namespace);
    }

    [Theory]
    [InlineData("/tw/{instance_id}", "logs.logs_collected.files.collect_list[0].log_group_name", "fixed log group name")]
    [InlineData("/tw/a\", \"retention_in_days\": 7, \"x\": \"", "logs.logs_collected.files.collect_list[0].retention_in_days", "fleet stack sets the group's retention")]
    public void Parse_ALogGroupTheStackCannotOwn_NamesTheFieldAndRule(string group, string field, string rule)
    {
        var json = Valid.Replace("{ \"file_path\": \"/a.log\", \"log_group_name\": \"/tw/a\" }", $"{{ \"file_path\": \"/a.log\", \"log_group_name\": \"{group}\" }}", StringComparison.Ordinal);

        var e = Assert.Throws<ImageContractException>(() => CloudWatchAgentConfiguration.Parse(json));

        Assert.Equal(CloudWatchAgentConfiguration.File, e.File);
        Assert.Equal(field, e.Field);
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_NamesTheFile()
    {
        var e = Assert.Throws<ImageContractException>(() => CloudWatchAgentConfiguration.Parse("{ \"metrics\": "));

        Assert.StartsWith(CloudWatchAgentConfiguration.File + ": $: must be the agent's JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GpuMetric_AMeasurementNotCollected_NamesTheMeasurementField()
    {
        var e = Assert.Throws<ImageContractException>(() => CloudWatchAgentConfiguration.Parse(Valid).GpuMetric("power_draw"));

        Assert.Equal("metrics.metrics_collected.nvidia_gpu.measurement", e.Field);
        Assert.Contains("must collect 'power_draw'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireAggregation_ARollUpTheFileLacks_NamesAggregationDimensions()
    {
        var agent = CloudWatchAgentConfiguration.Parse(Valid.Replace("[[\"AutoScalingGroupName\"]]", "[[\"InstanceId\"]]", StringComparison.Ordinal));

        var e = Assert.Throws<ImageContractException>(() => agent.RequireAggregation("AutoScalingGroupName"));

        Assert.Equal("metrics.aggregation_dimensions", e.Field);
    }
}
