namespace TrainingWorkers.Cli.Fleet;

/// <summary>One named fleet: where its queue, table, bucket and log group are. <see cref="EndpointUrl"/> is absent on real AWS.</summary>
internal sealed record FleetEnvironment
{
    public string? Region { get; init; }
    public string? EndpointUrl { get; init; }
    public string? QueueUrl { get; init; }
    public string? DeadLetterQueueUrl { get; init; }
    public string? Table { get; init; }
    public string? Bucket { get; init; }

    /// <summary>The CloudWatch Logs group of the jobs' logs (<c>tw logs</c>).</summary>
    public string? LogGroup { get; init; }
}
