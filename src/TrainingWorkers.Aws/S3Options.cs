namespace TrainingWorkers.Aws;

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
