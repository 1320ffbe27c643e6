using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>Synth-time context: the P3 per-type override, and bad values refused with the key and rule.</summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed class FleetSettingsTests
{
    [Fact]
    public void P3Types_WithTheirImage_GetAnOverrideWithTheirOwnLaunchTemplate()
    {
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
        var app = FleetApp.Create(new Dictionary<string, object>
        {
            ["fleet"] = "p3test", ["instanceTypes"] = "g5.xlarge", ["p3InstanceTypes"] = "p3.2xlarge", ["p3AmiParameter"] = "/trainingworkers/worker/p3-ami-id",
        });
        var template = Template.FromStack(app.Fleet);
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(template.ToJSON()))!.AsObject();

        var launchTemplates = SynthesizedFleet.Resources(json, "AWS::EC2::LaunchTemplate");
        Assert.Equal(2, launchTemplates.Count);
        Assert.Contains(launchTemplates, t => (string?)t.Resource["Properties"]!["LaunchTemplateData"]!["ImageId"] == "resolve:ssm:/trainingworkers/worker/p3-ami-id");
        var overrides = SynthesizedFleet.Single(json, "AWS::AutoScaling::AutoScalingGroup")["Properties"]!["MixedInstancesPolicy"]!["LaunchTemplate"]!["Overrides"]!.AsArray();
        var p3 = Assert.Single(overrides, o => (string?)o!["InstanceType"] == "p3.2xlarge");
        Assert.Contains("P3WorkerLaunchTemplate", p3!["LaunchTemplateSpecification"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fleet", "Bad_Name", "fleet")]
    [InlineData("instanceTypes", "g5.xlarge,notatype", "instanceTypes")]
    [InlineData("p3InstanceTypes", "p3.2xlarge", "p3AmiParameter")]
    public void FromContext_BadValue_NamesTheKey(string key, string value, string named)
    {
        var e = Assert.Throws<DeploySettingsException>(() => FleetSettings.FromContext(k => k == key ? value : null));

        Assert.Equal(named, e.Key);
        Assert.Contains($"context '{named}'", e.Message, StringComparison.Ordinal);
    }
}
