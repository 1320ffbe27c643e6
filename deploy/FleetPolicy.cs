using Amazon.CDK.AWS.IAM;
using TrainingWorkers.Aws;

namespace TrainingWorkers.Deploy;

/// <summary>
/// Turns the code's list of AWS operations (<see cref="IamActions"/>) into IAM statements: one per resource,
/// with exactly the actions the operations on it need. Listing is limited to the fleet's prefixes and
/// PutMetricData to the fleet's namespace by conditions, as IAM cannot name those as resources.
/// </summary>
internal static class FleetPolicy
{
    /// <param name="arns">The ARNs of a resource in this stack.</param>
    public static IReadOnlyList<PolicyStatement> Statements(IEnumerable<AwsOperation> operations, Func<FleetResource, string[]> arns, string metricsNamespace)
    {
        var byResource = operations
            .SelectMany(o => o.Resources.Select(r => (Resource: r, o.Actions)))
            .GroupBy(x => x.Resource)
            .OrderBy(g => g.Key);
        var statements = new List<PolicyStatement>();
        foreach (var group in byResource)
        {
            var statement = new PolicyStatement(new PolicyStatementProps
            {
                Sid = group.Key.ToString(),
                Effect = Effect.ALLOW,
                Actions = group.SelectMany(x => x.Actions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
                Resources = group.Key is FleetResource.MetricsNamespace or FleetResource.Any ? ["*"] : arns(group.Key),
            });
            if (group.Key == FleetResource.Bucket)
            {
                statement.AddCondition("StringLike", new Dictionary<string, object>
                {
                    ["s3:prefix"] = new[] { $"{DataPlaneStack.JobsPrefix}/*", $"{DataPlaneStack.DataPrefix}/*" },
                });
            }

            if (group.Key == FleetResource.MetricsNamespace)
            {
                statement.AddCondition("StringEquals", new Dictionary<string, object> { ["cloudwatch:namespace"] = metricsNamespace });
            }

            statements.Add(statement);
        }

        return statements;
    }
}
