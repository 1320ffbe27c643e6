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

/// <summary>Checkpoints, artifacts and datasets on S3.</summary>
public sealed class S3Options
{
    /// <summary>The bucket checkpoints and models are written to.</summary>
    public string? Bucket { get; set; }

    /// <summary>The key prefix under which each job gets <c>{prefix}/{jobId}/checkpoints/</c>.</summary>
    public string Prefix { get; set; } = "jobs";

    /// <summary>A KMS key id or ARN: when set, objects are written with SSE-KMS under it.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>Objects at least this large are uploaded in parts (>= 5 MiB, the S3 minimum part size).</summary>
    public long MultipartThresholdBytes { get; set; } = 16L << 20;

    /// <summary>The size of one part of a multipart upload and of one ranged GET (5 MiB..5 GiB).</summary>
    public long PartSizeBytes { get; set; } = 8L << 20;

    /// <summary>How many parts or ranges are transferred at once (1..64).</summary>
    public int Parallelism { get; set; } = 8;

    /// <summary>
    /// The <c>s3://bucket/prefix</c> locations jobs may read from or write to. A job's URI outside all of
    /// them is refused. The checkpoint bucket and prefix are always allowed.
    /// </summary>
    public List<string> AllowedPrefixes { get; set; } = [];

    /// <summary>The directory of the instance's dataset cache, shared by all ranks.</summary>
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "tw-cache");

    /// <summary>The most the dataset cache may hold; least recently used entries are evicted beyond it.</summary>
    public long CacheMaxBytes { get; set; } = 50L << 30;
}

/// <summary>The SQS jobs queue.</summary>
public sealed class QueueOptions
{
    /// <summary>The queue's URL (from <c>GetQueueUrl</c> or the deploy stack's outputs).</summary>
    public Uri? QueueUrl { get; set; }
}

/// <summary>Training metrics on CloudWatch.</summary>
public sealed class MetricsOptions
{
    public string Namespace { get; set; } = "TrainingWorkers";

    /// <summary>Store at 1-second resolution instead of the standard 60 seconds (costs more).</summary>
    public bool HighResolution { get; set; }

    /// <summary>Points kept while CloudWatch cannot be reached; beyond it the oldest are dropped and counted.</summary>
    public int BufferCapacity { get; set; } = 20_000;

    /// <summary>How often buffered points are sent.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Add a <c>Rank</c> dimension so each rank's metrics are kept apart.</summary>
    public bool PerRankMetrics { get; set; }
}

/// <summary>The DynamoDB table of job records and their status history.</summary>
public sealed class JobTableOptions
{
    public string TableName { get; set; } = "tw-jobs";
}

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
