namespace TrainingWorkers.Aws;

/// <summary>The jobs' logs on CloudWatch Logs: one stream per job attempt in one group.</summary>
public sealed class LogsOptions
{
    /// <summary>The log group (the deploy stack's output <c>JobLogGroupName</c>); empty: job logs are not shipped.</summary>
    public string? GroupName { get; set; }

    /// <summary>How often buffered lines are sent.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Lines kept per job while CloudWatch Logs cannot be reached; beyond it the oldest are dropped and counted.</summary>
    public int BufferCapacity { get; set; } = 20_000;
}
