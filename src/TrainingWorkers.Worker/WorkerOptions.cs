using Microsoft.Extensions.Options;

namespace TrainingWorkers.Worker;

/// <summary>
/// The worker's settings (configuration section <c>Worker</c>; environment <c>TW_Worker__Name</c>). Durations
/// are written as <c>hh:mm:ss</c>. The AWS side (queue URL, table, bucket, endpoint) is the <c>Aws</c> section.
/// </summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>This worker's name in leases and history. Empty: the EC2 instance id, else host name and pid.</summary>
    public string? WorkerId { get; set; }

    /// <summary>
    /// The <c>tw</c> program the ranks run (<c>tw</c> or <c>tw.dll</c>). Empty: <c>tw</c> beside this program,
    /// then on PATH.
    /// </summary>
    public string? TwExecutable { get; set; }

    /// <summary>Where each job gets a directory for its spec, run directory and local checkpoints.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "tw-worker");

    /// <summary>Jobs this worker trains at once; the instance's GPUs are split evenly among them.</summary>
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>Rank processes per job. 0: one per GPU of the job's share, or one on a machine without GPUs.</summary>
    public int ProcessesPerJob { get; set; }

    /// <summary>
    /// How long a claim lasts without a heartbeat; also the visibility timeout of a received message. A dead
    /// worker's job is taken over about this long after its last heartbeat.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Heartbeats (lease, message visibility, cancel requests) come at this fraction of <see cref="LeaseDuration"/>.</summary>
    public double HeartbeatFraction { get; set; } = 0.7;

    /// <summary>The long poll's wait (at most 20 s, the SQS limit).</summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Attempts a job gets (failures, not hand-offs); after the last it is Failed and its message dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The wait before a failed job is tried again; it doubles with every failure, up to 15 minutes.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// SQS ends a message's invisibility 12 h after its receive, whatever the extensions. Before this much time
    /// the worker puts a fresh copy of the message on the queue and deletes the old one; the job goes on under its lease.
    /// </summary>
    public TimeSpan MessageRenewAfter { get; set; } = TimeSpan.FromHours(11);

    /// <summary>How long a graceful stop (SIGTERM, spot notice, scale-in) may take: checkpoint, upload, hand off.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Restarts of a job's rank group from its last checkpoint within one attempt (a crashed rank).</summary>
    public int MaxRankRestarts { get; set; } = 1;

    /// <summary>A rank silent this long is taken as hung.</summary>
    public TimeSpan ProgressTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The ranks' rendezvous and collective timeout.</summary>
    public TimeSpan CollectiveTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The ranks' TCPStore port. 0 (the default): a free port picked for each launch, as torchrun's
    /// <c>localhost:0</c> endpoint does; otherwise job slot k uses this + k.
    /// </summary>
    public int MasterPort { get; set; }

    /// <summary>Liveness (<c>/health/live</c>) and readiness (<c>/health/ready</c>) on 127.0.0.1; 0 turns them off.</summary>
    public int HealthPort { get; set; } = 8080;

    /// <summary>
    /// Watch the instance metadata (spot interruption notice, Auto Scaling lifecycle state) and manage scale-in
    /// protection. Null: on when no emulator endpoint is configured (that is, on AWS).
    /// </summary>
    public bool? UseInstanceMetadata { get; set; }

    /// <summary>How often the instance metadata is read.</summary>
    public TimeSpan InstancePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Auto Scaling lifecycle hook for termination; when set, the worker completes it after handing off.</summary>
    public string? LifecycleHookName { get; set; }

    public TimeSpan HeartbeatInterval => LeaseDuration * HeartbeatFraction;
}

/// <summary>What the worker needs of the AWS settings: a queue to poll and a bucket for checkpoints and models.</summary>
internal sealed class WorkerAwsOptionsValidator : IValidateOptions<TrainingWorkers.Aws.AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, TrainingWorkers.Aws.AwsOptions o)
    {
        var errors = new List<string>();
        if (o.Queue.QueueUrl is null) errors.Add("Aws:Queue:QueueUrl: must be set to the jobs queue's URL");
        if (string.IsNullOrWhiteSpace(o.S3.Bucket)) errors.Add("Aws:S3:Bucket: must be set to the bucket for checkpoints and models");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks <see cref="WorkerOptions"/> at start-up and lists every problem, each with its setting and rule.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions o)
    {
        var errors = new List<string>();
        void Check(bool ok, string setting, string rule, object? got)
        {
            if (!ok) errors.Add($"Worker:{setting}: {rule}, got {got ?? "nothing"}");
        }

        Check(o.MaxConcurrentJobs is >= 1 and <= 64, nameof(o.MaxConcurrentJobs), "must be between 1 and 64", o.MaxConcurrentJobs);
        Check(o.ProcessesPerJob is >= 0 and <= 64, nameof(o.ProcessesPerJob), "must be between 0 (one per GPU) and 64", o.ProcessesPerJob);
        Check(o.LeaseDuration >= TimeSpan.FromSeconds(5) && o.LeaseDuration <= TimeSpan.FromHours(12), nameof(o.LeaseDuration), "must be between 00:00:05 and 12:00:00", o.LeaseDuration);
        Check(o.HeartbeatFraction is > 0.1 and <= 0.9, nameof(o.HeartbeatFraction), "must be > 0.1 and <= 0.9", o.HeartbeatFraction);
        Check(o.PollWait >= TimeSpan.Zero && o.PollWait <= TimeSpan.FromSeconds(20), nameof(o.PollWait), "must be between 00:00:00 and 00:00:20 (the SQS long-poll limit)", o.PollWait);
        Check(o.MaxAttempts is >= 1 and <= 100, nameof(o.MaxAttempts), "must be between 1 and 100", o.MaxAttempts);
        Check(o.RetryBackoff >= TimeSpan.Zero && o.RetryBackoff <= TimeSpan.FromMinutes(15), nameof(o.RetryBackoff), "must be between 00:00:00 and 00:15:00 (the SQS delay limit)", o.RetryBackoff);
        Check(o.MessageRenewAfter > o.LeaseDuration && o.MessageRenewAfter < TimeSpan.FromHours(12), nameof(o.MessageRenewAfter), "must be longer than LeaseDuration and under 12:00:00 (the SQS visibility cap)", o.MessageRenewAfter);
        Check(o.ShutdownTimeout >= TimeSpan.FromSeconds(5), nameof(o.ShutdownTimeout), "must be at least 00:00:05", o.ShutdownTimeout);
        Check(o.MaxRankRestarts is >= 0 and <= 10, nameof(o.MaxRankRestarts), "must be between 0 and 10", o.MaxRankRestarts);
        Check(o.ProgressTimeout > o.CollectiveTimeout, nameof(o.ProgressTimeout), $"must be longer than CollectiveTimeout ({o.CollectiveTimeout})", o.ProgressTimeout);
        Check(o.CollectiveTimeout >= TimeSpan.FromSeconds(1), nameof(o.CollectiveTimeout), "must be at least 00:00:01", o.CollectiveTimeout);
        Check(o.MasterPort == 0 || o.MasterPort is >= 1024 and <= 65000, nameof(o.MasterPort), "must be 0 (a free port per launch) or between 1024 and 65000", o.MasterPort);
        Check(o.HealthPort is >= 0 and <= 65535, nameof(o.HealthPort), "must be between 0 (off) and 65535", o.HealthPort);
        Check(o.InstancePollInterval >= TimeSpan.FromSeconds(1), nameof(o.InstancePollInterval), "must be at least 00:00:01", o.InstancePollInterval);
        Check(!string.IsNullOrWhiteSpace(o.WorkDirectory), nameof(o.WorkDirectory), "must be set", o.WorkDirectory);
        if (o.TwExecutable is { Length: > 0 } tw) Check(File.Exists(tw), nameof(o.TwExecutable), "must be an existing file", tw);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
