using Amazon.CDK;
using Amazon.CDK.AWS.Logs;
using Constructs;

namespace TrainingWorkers.Deploy;

/// <summary>
/// The log groups the image's CloudWatch agent writes the instance's files to (the worker's own log: tw-worker and
/// tw doctor), one stream per instance. Their names are fixed in the image, not per fleet, so a second fleet in the
/// same account and region finds them made by the first and deploys with <c>CreateWorkerLogGroup=false</c>. Kept
/// when the stack goes, like the jobs' logs.
/// </summary>
internal sealed class AgentLogGroups : Construct
{
    /// <summary>How long the instances' logs are kept.</summary>
    public const RetentionDays Retention = RetentionDays.ONE_MONTH;

    public AgentLogGroups(Construct scope, string id, IReadOnlyList<string> names, CfnParameter create) : base(scope, id)
    {
        var condition = new CfnCondition(this, "Create", new CfnConditionProps { Expression = Fn.ConditionEquals(create.ValueAsString, "true") });
        foreach (var (name, index) in names.Select((n, i) => (n, i)))
        {
            var group = new LogGroup(this, index == 0 ? "Group" : $"Group{index}", new LogGroupProps
            {
                LogGroupName = name, Retention = Retention, RemovalPolicy = RemovalPolicy.RETAIN,
            });
            ((CfnLogGroup)group.Node.DefaultChild!).CfnOptions.Condition = condition;
        }

        Names = names;
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>A group's ARN with its streams, built from its name: the group may be another stack's.</summary>
    public string Arn(string name) => Stack.Of(this).FormatArn(new ArnComponents
    {
        Service = "logs", Resource = "log-group", ResourceName = name + ":*", ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
    });
}
