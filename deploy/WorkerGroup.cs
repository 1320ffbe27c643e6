using Amazon.CDK;
using Amazon.CDK.AWS.AutoScaling;
using Amazon.CDK.AWS.EC2;
using Constructs;

namespace TrainingWorkers.Deploy;

/// <summary>
/// The GPU fleet: an Auto Scaling group over several instance types (more Spot pools, fewer interruptions), an
/// on-demand base with Spot above it (capacity-optimized, with capacity rebalancing), group metrics each minute
/// (the scaling metric reads GroupInServiceInstances), new instances protected from scale-in until their worker
/// says it is idle, and a termination hook that waits for the worker's hand-off.
/// </summary>
public sealed class WorkerGroup : Construct
{
    /// <summary>The termination hook's name: the worker completes it after handing its jobs off (Worker:LifecycleHookName).</summary>
    public const string HandOffHook = "tw-worker-handoff";

    internal WorkerGroup(Construct scope, string id, FleetParameters parameters, FleetSettings settings, string[] subnetIds,
        CfnLaunchTemplate template, CfnLaunchTemplate? p3Template) : base(scope, id)
    {
        var overrides = settings.InstanceTypes
            .Select(t => new CfnAutoScalingGroup.LaunchTemplateOverridesProperty { InstanceType = t })
            .Concat(settings.P3InstanceTypes.Select(t => new CfnAutoScalingGroup.LaunchTemplateOverridesProperty
            {
                InstanceType = t,
                // V100 needs the proprietary driver: these types launch from their own image.
                LaunchTemplateSpecification = Spec(p3Template!),
            }))
            .Cast<object>().ToArray();
        Group = new CfnAutoScalingGroup(this, "Group", new CfnAutoScalingGroupProps
        {
            AutoScalingGroupName = settings.Names.Fleet + "-workers",
            MinSize = parameters.MinSize.ValueAsString,
            MaxSize = parameters.MaxSize.ValueAsString,
            VpcZoneIdentifier = subnetIds,
            CapacityRebalance = true,
            NewInstancesProtectedFromScaleIn = true,
            DefaultInstanceWarmup = FleetDefaults.InstanceWarmupSeconds,
            HealthCheckType = "EC2",
            MetricsCollection = new object[] { new CfnAutoScalingGroup.MetricsCollectionProperty { Granularity = "1Minute" } },
            MixedInstancesPolicy = new CfnAutoScalingGroup.MixedInstancesPolicyProperty
            {
                InstancesDistribution = new CfnAutoScalingGroup.InstancesDistributionProperty
                {
                    OnDemandAllocationStrategy = "prioritized",
                    OnDemandBaseCapacity = parameters.OnDemandBaseCapacity.ValueAsNumber,
                    OnDemandPercentageAboveBaseCapacity = parameters.OnDemandPercentAboveBase.ValueAsNumber,
                    SpotAllocationStrategy = "capacity-optimized",
                },
                LaunchTemplate = new CfnAutoScalingGroup.LaunchTemplateProperty { LaunchTemplateSpecification = Spec(template), Overrides = overrides },
            },
            LifecycleHookSpecificationList = new object[]
            {
                new CfnAutoScalingGroup.LifecycleHookSpecificationProperty
                {
                    LifecycleHookName = HandOffHook, LifecycleTransition = "autoscaling:EC2_INSTANCE_TERMINATING",
                    HeartbeatTimeout = FleetDefaults.HandOffTimeoutSeconds, DefaultResult = "CONTINUE",
                },
            },
            Tags = [new CfnAutoScalingGroup.TagPropertyProperty { Key = "Name", Value = settings.Names.Fleet + "-worker", PropagateAtLaunch = true }],
        });
    }

    public CfnAutoScalingGroup Group { get; }

    /// <summary>The group's name (a Ref): for metrics, alarms and the IAM resource.</summary>
    public string GroupName => Group.Ref;

    private static CfnAutoScalingGroup.LaunchTemplateSpecificationProperty Spec(CfnLaunchTemplate template) => new()
    {
        LaunchTemplateId = template.Ref, Version = template.AttrLatestVersionNumber,
    };

}
