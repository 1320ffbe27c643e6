using Amazon.CDK;

namespace TrainingWorkers.Deploy;

/// <summary>The fleet stack's CloudFormation parameters: what differs per user and can change without a new synth.</summary>
internal sealed class FleetParameters
{
    public FleetParameters(Stack stack)
    {
        CfnParameter Number(string name, int value, int min, int max, string description) => new(stack, name, new CfnParameterProps
        {
            Type = "Number", Default = value, MinValue = min, MaxValue = max, Description = description,
        });

        MinSize = Number("MinSize", FleetDefaults.MinSize, 0, 1000, "Instances always running (0: the fleet scales to zero when idle)");
        MaxSize = Number("MaxSize", FleetDefaults.MaxSize, 1, 1000, "Instances at most (mind the account's GPU vCPU quotas for on-demand and Spot)");
        OnDemandBaseCapacity = Number("OnDemandBaseCapacity", FleetDefaults.OnDemandBaseCapacity, 0, 1000, "The first instances are on-demand, never interrupted");
        OnDemandPercentAboveBase = Number("OnDemandPercentAboveBase", FleetDefaults.OnDemandPercentAboveBase, 0, 100,
            "On-demand share of the instances above the base, in percent (100 minus the Spot share)");
        JobsPerInstance = Number("JobsPerInstance", FleetDefaults.JobsPerInstance, 1, 64,
            "Jobs a worker trains at once (its GPUs are split among them); also the scaling target of backlog per instance");
        RootVolumeGiB = Number("RootVolumeGiB", 200, 100, 16384, "The root volume (gp3, encrypted): the image, the dataset cache and job work directories");
        RootDeviceName = new CfnParameter(stack, "RootDeviceName", new CfnParameterProps
        {
            Type = "String", Default = "/dev/sda1", AllowedValues = ["/dev/sda1", "/dev/xvda"],
            Description = "The image's root device: /dev/sda1 for Ubuntu Deep Learning AMIs, /dev/xvda for Amazon Linux ones",
        });
        CreateWorkerLogGroup = new CfnParameter(stack, "CreateWorkerLogGroup", new CfnParameterProps
        {
            Type = "String", Default = "true", AllowedValues = ["true", "false"],
            Description = "Create the log group the image's CloudWatch agent writes the workers' own logs to (its name is fixed in the image); "
                + "false when another fleet in this account and region already made it",
        });
    }

    public CfnParameter MinSize { get; }
    public CfnParameter MaxSize { get; }
    public CfnParameter OnDemandBaseCapacity { get; }
    public CfnParameter OnDemandPercentAboveBase { get; }
    public CfnParameter JobsPerInstance { get; }
    public CfnParameter RootVolumeGiB { get; }
    public CfnParameter RootDeviceName { get; }
    public CfnParameter CreateWorkerLogGroup { get; }
}
