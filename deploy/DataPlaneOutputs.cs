namespace TrainingWorkers.Deploy;

/// <summary>The data plane stack's output names: what a worker, <c>tw</c> and the fleet stack are configured from.</summary>
public static class DataPlaneOutputs
{
    public const string JobsQueueUrl = "JobsQueueUrl";
    public const string JobsQueueName = "JobsQueueName";
    public const string DeadLetterQueueUrl = "DeadLetterQueueUrl";
    public const string BucketName = "BucketName";
    public const string JobsTableName = "JobsTableName";
    public const string JobLogGroupName = "JobLogGroupName";
    public const string MetricsNamespace = "MetricsNamespace";
    public const string AlarmTopicArn = "AlarmTopicArn";
    public const string SubmitterPolicyArn = "SubmitterPolicyArn";
    public const string CoordinatorPolicyArn = "CoordinatorPolicyArn";
}
