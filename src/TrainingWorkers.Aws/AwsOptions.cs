namespace TrainingWorkers.Aws;

/// <summary>
/// Settings of the AWS adapters (configuration section <c>Aws</c>). Credentials are never set here:
/// they come from the default AWS chain (environment, profile, web identity, container, IMDSv2).
/// </summary>
public sealed class AwsOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Aws";

    /// <summary>The region; when empty it is resolved like the AWS SDK does (AWS_REGION, profile, IMDS).</summary>
    public string? Region { get; set; }

    /// <summary>
    /// One endpoint for every service, for a local emulator such as moto (<c>http://127.0.0.1:5000</c>).
    /// Empty on AWS, where each service's regional endpoint is used.
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Attempts per request, the first included (1..10).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt may take (a long poll's wait is added to it).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The instance metadata service (IMDSv2). Empty: <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c> when set, else 169.254.169.254.
    /// </summary>
    public Uri? ImdsEndpoint { get; set; }

    public S3Options S3 { get; set; } = new();
    public QueueOptions Queue { get; set; } = new();
    public MetricsOptions Metrics { get; set; } = new();
    public JobTableOptions JobTable { get; set; } = new();
    public LogsOptions Logs { get; set; } = new();
}
