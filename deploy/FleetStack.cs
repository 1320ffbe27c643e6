using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using TrainingWorkers.Aws;
using CdkAws = Amazon.CDK.Aws;

namespace TrainingWorkers.Deploy;

/// <summary>
/// The GPU fleet beside the data plane: the network, the workers' role (exactly the actions the worker calls, on
/// exactly the data plane's resources and this group, and what the image's CloudWatch agent needs), the agent's log
/// group, the launch template(s), the Auto Scaling group, scaling on backlog per instance, and the fleet's alarms
/// and dashboard.
/// </summary>
public sealed class FleetStack : Stack
{
    internal FleetStack(Construct scope, string id, FleetSettings settings, DataPlaneStack data, IStackProps props) : base(scope, id, props)
    {
        var parameters = new FleetParameters(this);
        var network = new FleetNetwork(this, "Network");
        var groupName = settings.Names.Fleet + "-workers";
        var groupArn = $"arn:{CdkAws.PARTITION}:autoscaling:{CdkAws.REGION}:{CdkAws.ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/{groupName}";

        // The image's CloudWatch agent: its log groups, its IAM and the dashboard's GPU metrics come from its configuration.
        var agent = CloudWatchAgentConfiguration.FromImage();
        WorkerLogs = new AgentLogGroups(this, "WorkerLogs", agent.LogGroups, parameters.CreateWorkerLogGroup);
        Role = new Role(this, "WorkerRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("ec2.amazonaws.com"),
            Description = $"The {settings.Fleet} workers: exactly what tw-worker calls (src/TrainingWorkers.Aws/IamActions.cs) and what the image's CloudWatch agent needs ({CloudWatchAgentConfiguration.File})",
        });
        var policy = new Policy(this, "WorkerPolicy", new PolicyProps
        {
            Statements = [.. FleetPolicy.Statements(IamActions.CalledBy(AwsCaller.Worker),
                r => r == FleetResource.WorkerGroup ? [groupArn] : data.ArnsOf(r), data.MetricsNamespace),
                .. CloudWatchAgentPolicy.Statements(agent, WorkerLogs.Arn)],
        });
        policy.AttachToRole(Role);
        var profile = new CfnInstanceProfile(this, "WorkerInstanceProfile", new CfnInstanceProfileProps { Roles = [Role.RoleName] });

        Settings = [.. WorkerConfiguration.FromDataPlane.Select(s => (s.Key, WorkerConfiguration.Fill(s.Value, output => DataPlaneValue(data, output)))),
            ("Aws:Region", CdkAws.REGION),
            ("Worker:MaxConcurrentJobs", parameters.JobsPerInstance.ValueAsString),
            ("Worker:LifecycleHookName", WorkerGroup.HandOffHook)];
        var template = new WorkerLaunchTemplate(this, "WorkerLaunchTemplate", WorkerConfiguration.AmiParameter, profile.AttrArn, network.SecurityGroup.AttrGroupId,
            Settings, parameters.RootVolumeGiB.ValueAsNumber, parameters.RootDeviceName.ValueAsString);
        LaunchTemplate = template;
        P3LaunchTemplate = settings.P3AmiParameter is { } p3Ami
            ? new WorkerLaunchTemplate(this, "P3WorkerLaunchTemplate", p3Ami, profile.AttrArn, network.SecurityGroup.AttrGroupId,
                Settings, parameters.RootVolumeGiB.ValueAsNumber, parameters.RootDeviceName.ValueAsString)
            : null;
        Workers = new WorkerGroup(this, "Workers", parameters, settings, network.SubnetIds, template.Template, P3LaunchTemplate?.Template);
        Workers.Group.Node.AddDependency(policy);
        Scaling = new BacklogScaling(this, "Scaling", Workers, data.JobsQueue.QueueName, parameters.JobsPerInstance.ValueAsNumber);
        FleetMonitoring.Add(this, settings, Workers.GroupName, data.JobsQueue.QueueName, data.MetricsNamespace, data.AlarmTopic, agent);

        new CfnOutput(this, "WorkerGroupName", new CfnOutputProps { Value = Workers.GroupName, Description = "the workers' Auto Scaling group" });
        new CfnOutput(this, "WorkerRoleArn", new CfnOutputProps { Value = Role.RoleArn, Description = "the workers' instance role" });
        new CfnOutput(this, "WorkerLogGroupName", new CfnOutputProps
        {
            Value = string.Join(", ", WorkerLogs.Names), Description = "the workers' own logs (tw-worker, tw doctor) shipped by the image's CloudWatch agent, one stream per instance id",
        });
        new CfnOutput(this, "AmiParameterName", new CfnOutputProps { Value = WorkerConfiguration.AmiParameter, Description = "put the worker image's AMI id here (the image build does)" });
    }

    public Role Role { get; }
    public WorkerGroup Workers { get; }
    public BacklogScaling Scaling { get; }
    public WorkerLaunchTemplate LaunchTemplate { get; }
    public WorkerLaunchTemplate? P3LaunchTemplate { get; }

    /// <summary>The log groups of the image's CloudWatch agent (the workers' own logs).</summary>
    internal AgentLogGroups WorkerLogs { get; }

    /// <summary>The worker's settings as the user data writes them (values are tokens until deployed).</summary>
    public IReadOnlyList<(string Key, string Value)> Settings { get; }

    private static string DataPlaneValue(DataPlaneStack data, string output) => output switch
    {
        DataPlaneOutputs.JobsQueueUrl => data.JobsQueue.QueueUrl,
        DataPlaneOutputs.BucketName => data.Bucket.BucketName,
        DataPlaneOutputs.JobsTableName => data.Table.TableName,
        DataPlaneOutputs.JobLogGroupName => data.JobLogGroup.LogGroupName,
        DataPlaneOutputs.MetricsNamespace => data.MetricsNamespace,
        _ => throw new ArgumentOutOfRangeException(nameof(output), output, "the fleet stack takes no such data-plane value"),
    };

}
