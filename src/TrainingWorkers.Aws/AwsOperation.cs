namespace TrainingWorkers.Aws;

/// <summary>Which program makes an AWS call, and so which principal needs the permission.</summary>
[Flags]
public enum AwsCaller
{
    /// <summary>Only tests, benchmarks and tools call it: no deployed principal is granted it.</summary>
    None = 0,
    /// <summary><c>tw-worker</c> on the fleet's instances: the instance role.</summary>
    Worker = 1,
    /// <summary>A user's <c>tw submit</c>, <c>status</c>, <c>list</c>, <c>cancel</c>, <c>wait</c>, <c>logs</c>: the submitters' policy.</summary>
    Submitter = 2,
    /// <summary><c>tw env create</c>, which makes a fleet's resources without the deploy stack.</summary>
    Operator = 4,
}

/// <summary>The fleet resource an IAM statement names. The deploy stack turns each into an ARN (or a condition).</summary>
public enum FleetResource
{
    JobsQueue,
    DeadLetterQueue,
    /// <summary>The bucket itself (listing, with a prefix condition).</summary>
    Bucket,
    /// <summary>Objects under the jobs' prefix: checkpoints, models, reports (<c>jobs/*</c>).</summary>
    JobObjects,
    /// <summary>Objects under the datasets' prefix (<c>datasets/*</c>).</summary>
    DataObjects,
    JobsTable,
    /// <summary>PutMetricData, limited by the <c>cloudwatch:namespace</c> condition to the fleet's namespace.</summary>
    MetricsNamespace,
    JobLogGroup,
    /// <summary>The fleet's Auto Scaling group.</summary>
    WorkerGroup,
    /// <summary>Describe calls that IAM cannot limit to a resource.</summary>
    Any,
}

/// <summary>
/// One AWS API operation the code calls: the service's IAM prefix, the operation's name, the IAM actions it
/// needs, the resources it acts on, and who calls it.
/// </summary>
public sealed record AwsOperation(string Service, string Operation, IReadOnlyList<string> Actions, IReadOnlyList<FleetResource> Resources, AwsCaller Callers);
