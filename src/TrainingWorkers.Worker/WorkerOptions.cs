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

    /// <summary>
    /// The most nodes a multi-node job may ask for (<c>resources.nodes</c>); more is refused with this reason. The
    /// fleet stack sets it to the Auto Scaling group's maximum size.
    /// </summary>
    public int MaxNodes { get; set; } = 1;

    /// <summary>The address other nodes reach this worker's ranks at. Empty: the instance's private IPv4 on EC2, else 127.0.0.1.</summary>
    public string? Address { get; set; }

    /// <summary>How often the worker renews its registration (its heartbeat in the job store) and looks for gangs that reserved it.</summary>
    public TimeSpan RegistrationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the nodes a gang reserved have to join it before node 0 gives the gang up and releases them.</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// When too few workers are idle for a gang, its message comes back after about this long (±25 %, so that two
    /// gangs waiting for the same workers do not keep meeting). Meanwhile it holds nothing.
    /// </summary>
    public TimeSpan GangRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each node of a running gang reads the other nodes' leases (and node 0 the hand-off requests).</summary>
    public TimeSpan GangWatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan HeartbeatInterval => LeaseDuration * HeartbeatFraction;

    /// <summary>A registration whose heartbeat is older than this is not reserved: three missed renewals.</summary>
    public TimeSpan RegistrationStaleAfter => RegistrationInterval * 3;
}
