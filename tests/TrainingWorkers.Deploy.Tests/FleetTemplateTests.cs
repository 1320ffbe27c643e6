using Amazon.CDK.Assertions;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>The fleet stack: launch template, group, scaling, alarms and parameters.</summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed class FleetTemplateTests(SynthesizedFleet synth)
{
    private Template T => synth.Fleet;

    [Fact]
    public void LaunchTemplate_ImdsV2Only_ImageFromTheSsmParameter_EncryptedRoot()
    {
        T.HasResourceProperties("AWS::EC2::LaunchTemplate", Match.ObjectLike(new Dictionary<string, object>
        {
            ["LaunchTemplateData"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["ImageId"] = "resolve:ssm:/trainingworkers/worker/ami-id",
                ["MetadataOptions"] = Match.ObjectLike(new Dictionary<string, object> { ["HttpTokens"] = "required", ["HttpEndpoint"] = "enabled" }),
                ["BlockDeviceMappings"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Ebs"] = Match.ObjectLike(new Dictionary<string, object> { ["Encrypted"] = true, ["VolumeType"] = "gp3" }),
                })]),
            }),
        }));
    }

    [Fact]
    public void Group_MixedInstances_OnDemandBaseSpotAbove_Rebalancing_ProtectedNewInstances_HandOffHook()
    {
        var overrides = FleetSettings.DefaultInstanceTypes.Select(t => new Dictionary<string, object> { ["InstanceType"] = t }).ToArray();
        T.HasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.ObjectLike(new Dictionary<string, object>
        {
            ["CapacityRebalance"] = true, ["NewInstancesProtectedFromScaleIn"] = true,
            ["DefaultInstanceWarmup"] = FleetDefaults.InstanceWarmupSeconds,
            ["MinSize"] = new Dictionary<string, object> { ["Ref"] = "MinSize" }, ["MaxSize"] = new Dictionary<string, object> { ["Ref"] = "MaxSize" },
            ["MetricsCollection"] = new[] { new Dictionary<string, object> { ["Granularity"] = "1Minute" } },
            ["MixedInstancesPolicy"] = new Dictionary<string, object>
            {
                ["InstancesDistribution"] = new Dictionary<string, object>
                {
                    ["OnDemandAllocationStrategy"] = "prioritized", ["SpotAllocationStrategy"] = "capacity-optimized",
                    ["OnDemandBaseCapacity"] = new Dictionary<string, object> { ["Ref"] = "OnDemandBaseCapacity" },
                    ["OnDemandPercentageAboveBaseCapacity"] = new Dictionary<string, object> { ["Ref"] = "OnDemandPercentAboveBase" },
                },
                ["LaunchTemplate"] = Match.ObjectLike(new Dictionary<string, object> { ["Overrides"] = overrides }),
            },
            ["LifecycleHookSpecificationList"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["LifecycleHookName"] = WorkerGroup.HandOffHook, ["LifecycleTransition"] = "autoscaling:EC2_INSTANCE_TERMINATING",
                    ["HeartbeatTimeout"] = FleetDefaults.HandOffTimeoutSeconds, ["DefaultResult"] = "CONTINUE",
                },
            },
        }));
    }

    [Fact]
    public void TargetTracking_OnBacklogPerInstance_CountsInFlightMessages_TargetIsJobsPerInstance()
    {
        var policy = SynthesizedFleet.Resources(synth.FleetJson, "AWS::AutoScaling::ScalingPolicy")
            .Single(p => (string?)p.Resource["Properties"]!["PolicyType"] == "TargetTrackingScaling").Resource["Properties"]!["TargetTrackingConfiguration"]!;
        var metrics = policy["CustomizedMetricSpecification"]!["Metrics"]!.AsArray();

        Assert.Equal("{\"Ref\":\"JobsPerInstance\"}", policy["TargetValue"]!.ToJsonString());
        Assert.Contains(metrics, m => m!["MetricStat"]?["Metric"]?["MetricName"]?.GetValue<string>() == "ApproximateNumberOfMessagesNotVisible");
        Assert.Contains(metrics, m => m!["MetricStat"]?["Metric"]?["MetricName"]?.GetValue<string>() == "GroupInServiceInstances");
        var returned = Assert.Single(metrics, m => m!["ReturnData"]!.GetValue<bool>());
        Assert.Equal(BacklogScaling.BacklogPerInstanceExpression, (string?)returned!["Expression"]);
    }

    [Fact]
    public void ScaleFromZero_AlarmOnWaitingJobsWithNoInstance_SetsOneInstance()
    {
        T.HasResourceProperties("AWS::AutoScaling::ScalingPolicy", Match.ObjectLike(new Dictionary<string, object>
        {
            ["PolicyType"] = "StepScaling", ["AdjustmentType"] = "ExactCapacity",
            ["StepAdjustments"] = new[] { new Dictionary<string, object> { ["MetricIntervalLowerBound"] = 0, ["ScalingAdjustment"] = 1 } },
        }));
        var alarm = SynthesizedFleet.Resources(synth.FleetJson, "AWS::CloudWatch::Alarm").Single(a => a.Id.Contains("JobsWaiting", StringComparison.Ordinal)).Resource["Properties"]!;
        Assert.Contains(alarm["Metrics"]!.AsArray(), m => (string?)m!["Expression"] == BacklogScaling.ScaleFromZeroExpression);
        Assert.Contains("ScaleFromZero", alarm["AlarmActions"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(FleetDefaults.ScaleFromZeroEvaluationPeriods, (int)alarm["EvaluationPeriods"]!);
    }

    [Fact]
    public void FleetAlarms_HeartbeatGap_AndInServiceBelowDesired()
    {
        var alarms = SynthesizedFleet.Resources(synth.FleetJson, "AWS::CloudWatch::Alarm").Select(a => a.Id).ToList();

        Assert.Contains(alarms, a => a.StartsWith("WorkerStoppedHeartbeating", StringComparison.Ordinal));
        Assert.Contains(alarms, a => a.StartsWith("InServiceBelowDesired", StringComparison.Ordinal));
    }

    [Fact]
    public void Network_NewVpcOnlyWithoutAnExistingOne_WorkersAdmitOnlyEachOther()
    {
        Assert.All(SynthesizedFleet.Resources(synth.FleetJson, "AWS::EC2::VPC").Concat(SynthesizedFleet.Resources(synth.FleetJson, "AWS::EC2::Subnet")),
            r => Assert.NotNull(r.Resource["Condition"]));
        T.ResourceCountIs("AWS::EC2::NatGateway", 0);
        var ingress = SynthesizedFleet.Single(synth.FleetJson, "AWS::EC2::SecurityGroupIngress")["Properties"]!;
        Assert.Equal(ingress["GroupId"]!.ToJsonString(), ingress["SourceSecurityGroupId"]!.ToJsonString());
        foreach (var name in new[] { "VpcId", "SubnetIds", "MinSize", "MaxSize", "OnDemandBaseCapacity", "OnDemandPercentAboveBase", "JobsPerInstance" })
        {
            Assert.NotNull(synth.FleetJson["Parameters"]![name]);
        }
    }
}
