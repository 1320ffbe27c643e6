namespace TrainingWorkers.Aws.Provisioning;

/// <summary>
/// A fleet's resources as <see cref="FleetProvisioner"/> left them: where they are, which of them this call made,
/// and the jobs queue's settings as read back from SQS.
/// </summary>
public sealed record ProvisionedFleet
{
    public required string QueueUrl { get; init; }
    public required string DeadLetterQueueUrl { get; init; }
    public required string Bucket { get; init; }
    public required string Table { get; init; }

    /// <summary>The CloudWatch Logs group of the jobs' logs (<c>tw logs</c>).</summary>
    public required string LogGroup { get; init; }

    public bool QueueCreated { get; init; }
    public bool DeadLetterQueueCreated { get; init; }
    public bool BucketCreated { get; init; }
    public bool TableCreated { get; init; }
    public bool LogGroupCreated { get; init; }

    /// <summary>The jobs queue's default visibility timeout, or null when SQS did not say.</summary>
    public int? VisibilityTimeoutSeconds { get; init; }

    /// <summary>Receives of a message before it is dead-lettered, or null when the queue has no redrive policy.</summary>
    public int? MaxReceiveCount { get; init; }

    /// <summary>False when a reused jobs queue has no redrive policy, or one to another queue than <see cref="DeadLetterQueueUrl"/>.</summary>
    public bool RedrivesToDeadLetterQueue { get; init; }
}
