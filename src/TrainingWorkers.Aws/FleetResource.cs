namespace TrainingWorkers.Aws;

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
    /// <summary>Objects under the studies' prefix: the coordinator's reports and pictures (<c>studies/*</c>).</summary>
    StudyObjects,
    JobsTable,
    /// <summary>PutMetricData, limited by the <c>cloudwatch:namespace</c> condition to the fleet's namespace.</summary>
    MetricsNamespace,
    JobLogGroup,
    /// <summary>The fleet's Auto Scaling group.</summary>
    WorkerGroup,
    /// <summary>Describe calls that IAM cannot limit to a resource.</summary>
    Any,
}
