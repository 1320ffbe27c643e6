using Amazon.CDK.AWS.IAM;

namespace TrainingWorkers.Deploy;

/// <summary>
/// What the image's CloudWatch agent calls, read from its configuration: it is not our code, so it is not in
/// IamActions. Streams and events in the log groups it writes (the stack creates them, so no CreateLogGroup),
/// the instance's tags when it appends the group's name, and PutMetricData in its own namespace only. Its statements'
/// ids start with <see cref="SidPrefix"/>; the rest of the role is exactly the worker's calls.
/// </summary>
internal static class CloudWatchAgentPolicy
{
    /// <summary>How the agent's statements' ids begin.</summary>
    public const string SidPrefix = "CloudWatchAgent";

    /// <param name="logGroupArn">The ARN of a log group by name, streams included.</param>
    public static IReadOnlyList<PolicyStatement> Statements(CloudWatchAgentConfiguration agent, Func<string, string> logGroupArn)
    {
        var statements = new List<PolicyStatement>();
        if (agent.LogGroups.Count > 0)
        {
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = SidPrefix + "Logs", Effect = Effect.ALLOW,
                Actions = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resources = agent.LogGroups.Select(logGroupArn).ToArray(),
            }));
        }

        if (agent.ReadsInstanceTags)
        {
            // DescribeTags cannot be limited to a resource.
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = SidPrefix + "InstanceTags", Effect = Effect.ALLOW, Actions = ["ec2:DescribeTags"], Resources = ["*"],
            }));
        }

        // Its own statement even when the worker publishes to the same namespace: neither depends on the other's calls.
        var metrics = new PolicyStatement(new PolicyStatementProps
        {
            Sid = SidPrefix + "Metrics", Effect = Effect.ALLOW, Actions = ["cloudwatch:PutMetricData"], Resources = ["*"],
        });
        metrics.AddCondition("StringEquals", new Dictionary<string, object> { ["cloudwatch:namespace"] = agent.Namespace });
        statements.Add(metrics);

        return statements;
    }
}
