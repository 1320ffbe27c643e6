using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Aws.Logs;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker;

/// <summary>
/// Takes one received message to its end: claim the job, fetch what it references, train it through the
/// launcher with heartbeats, checkpoints to S3 and metrics to CloudWatch, then record the outcome and settle
/// the message, in that order. A job's failure never escapes: the worker goes on with the next message.
/// </summary>
internal sealed class JobRunner
{
    private const string FailedAttemptPrefix = "attempt failed";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(15);
    private readonly IJobQueue _queue;
    private readonly IJobStore _store;
    private readonly S3JobStorage _storage;
    private readonly S3DatasetCache _cache;
    private readonly CloudWatchMetrics _metrics;
    private readonly JobLogs _logs;
    private readonly FleetHeartbeat _fleet;
    private readonly WorkerOptions _options;
    private readonly WorkerIdentity _identity;
    private readonly WorkerState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<JobRunner> _logger;
    private readonly Lazy<RankProgram> _program;

    public JobRunner(IJobQueue queue, IJobStore store, S3JobStorage storage, S3DatasetCache cache, CloudWatchMetrics metrics, JobLogs logs, FleetHeartbeat fleet,
        IOptions<WorkerOptions> options, WorkerIdentity identity, WorkerState state, TimeProvider time, ILogger<JobRunner> logger)
    {
        (_queue, _store, _storage, _cache, _metrics, _logs, _fleet) = (queue, store, storage, cache, metrics, logs, fleet);
        (_options, _identity, _state, _time, _logger) = (options.Value, identity, state, time, logger);
        _program = new Lazy<RankProgram>(() => RankProgram.Find(_options.TwExecutable));
    }

    /// <summary>The queue's redrive settings, read at start-up.</summary>
    public QueuePolicy Policy { get; set; } = new(TimeSpan.FromSeconds(30), null, null);

    /// <param name="shutdown">Fires when the worker stops: the job is checkpointed and handed off.</param>
    public async Task RunAsync(ReceivedJob message, JobSlot slot, CancellationToken shutdown)
    {
        using var activity = Telemetry.Source.StartActivity("job");
        activity?.SetTag("messaging.message.id", message.MessageId);
        Telemetry.Received.Add(1);
        try
        {
            if (message.Job is not { } job)
            {
                Log.UnreadableMessage(_logger, message.MessageId, message.Problem ?? "unknown");
                await _queue.DeadLetterAsync(message, "not a job: " + message.Problem, CancellationToken.None).ConfigureAwait(false);
                Telemetry.Outcome("unreadable", TimeSpan.Zero);
                _fleet.JobEnded("unreadable");
                return;
            }

            activity?.SetTag("tw.job_id", job.JobId);
            await RunJobAsync(message, job, slot, shutdown).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything unforeseen (the store or queue unreachable after retries): the message comes back after its
            // visibility timeout and the job resumes from its newest checkpoint. The worker goes on.
            Log.JobCrashed(_logger, message.Job?.JobId ?? message.MessageId, e);
        }
    }

    private async Task RunJobAsync(ReceivedJob message, JobMessage job, JobSlot slot, CancellationToken shutdown)
    {
        var jobId = job.JobId;
        var specJson = job.Spec.GetRawText();
        // Sent with the AWS CLI or an SDK: no record yet.
        if (await _store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false) is null)
        {
            await _store.CreateAsync(jobId, specJson, CancellationToken.None).ConfigureAwait(false);
        }

        var lease = await _store.TryClaimAsync(jobId, _identity.WorkerId, _options.LeaseDuration, CancellationToken.None).ConfigureAwait(false);
        if (lease is null)
        {
            await LeaveAsync(message, jobId).ConfigureAwait(false);
            return;
        }

        var clock = Stopwatch.StartNew();
        var record = (await _store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false))!;
        Log.JobClaimed(_logger, jobId, record.Attempts, lease.FencingToken, slot.Index);
        var holder = new MessageHolder(message, _time.GetUtcNow());
        string outcome;
        if (record.CancelRequested)
        {
            outcome = await SettleAsync(holder, lease, JobStatus.Cancelled, new JobOutcome { Error = "cancelled by request" }).ConfigureAwait(false);
        }
        else
        {
            JobSpec? spec = null;
            string? invalid = null;
            try
            {
                spec = JobSpecParser.Parse(specJson);
            }
            catch (InvalidSpecException e)
            {
                invalid = "invalid spec: " + string.Join("; ", e.Errors.Select(x => x.ToString()));
            }

            // A poison message: the job fails alone, for good, with every validation error; the message goes.
            outcome = spec is null
                ? await SettleAsync(holder, lease, JobStatus.Failed, new JobOutcome { Error = invalid }).ConfigureAwait(false)
                : await TrainAsync(holder, lease, spec, specJson, slot, shutdown).ConfigureAwait(false);
        }

        Telemetry.Outcome(outcome, clock.Elapsed);
        _fleet.JobEnded(outcome);
        Log.JobEnded(_logger, jobId, outcome, clock.Elapsed.TotalSeconds);
    }

    // Claimed elsewhere, or finished: a duplicate delivery.
    private async Task LeaveAsync(ReceivedJob message, string jobId)
    {
        var record = await _store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (record is null || record.Status.IsTerminal())
        {
            Log.DuplicateDeleted(_logger, jobId, record?.Status.ToString() ?? "missing");
            await _queue.CompleteAsync(message, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (Policy.MaxReceiveCount is { } max && message.ReceiveCount >= max - 1 && message.Job is { } job)
        {
            // Every look at a running job's message counts as a receive; before the redrive policy takes it
            // for poison, a fresh copy takes its place.
            await _queue.SubmitAsync(job, CancellationToken.None).ConfigureAwait(false);
            await _queue.CompleteAsync(message, CancellationToken.None).ConfigureAwait(false);
            Log.MessageRenewed(_logger, jobId, message.ReceiveCount);
            return;
        }

        // Look again when the holder's lease would run out: if it stopped heart-beating, the job is taken over then.
        var wait = record.LeaseExpiresAt is { } expires && expires > now ? expires - now + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);
        Log.HeldElsewhere(_logger, jobId, record.LeaseOwner ?? "?", wait.TotalSeconds);
        await _queue.ExtendAsync(message, Clamp(wait, TimeSpan.FromSeconds(1), TimeSpan.FromHours(11)), CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<string> TrainAsync(MessageHolder holder, JobLease claimed, JobSpec spec, string specJson, JobSlot slot, CancellationToken shutdown)
    {
        var jobId = claimed.JobId;
        var lease = claimed;
        JobLease CurrentLease() => Volatile.Read(ref lease);
        using var stop = new JobStop(shutdown);
        using var heartbeats = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(holder, CurrentLease, l => Volatile.Write(ref lease, l), stop, heartbeats.Token);
        try
        {
            var workspace = Path.Combine(_options.WorkDirectory, jobId);
            if (Directory.Exists(workspace)) Directory.Delete(workspace, recursive: true);
            var runDirectory = Path.Combine(workspace, "run");
            var localCheckpoints = new DirectoryCheckpointStore(Path.Combine(runDirectory, "checkpoints"));
            Directory.CreateDirectory(runDirectory);
            var specFile = Path.Combine(workspace, "spec.json");
            var remote = _storage.CheckpointsFor(jobId);
            Checkpoint? newest;
            using (Telemetry.Source.StartActivity("fetch"))
            {
                try
                {
                    await SpecLocalizer.WriteAsync(specJson, spec, _cache, specFile, stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FormatException or S3AccessDeniedException
                    || e is AwsServiceException { Category: AwsErrorCategory.Request } or AwsServiceException { ErrorCode: "NoSuchKey" or "NoSuchBucket" or "NotFound" })
                {
                    return await SettleAsync(holder, CurrentLease(), JobStatus.Failed, new JobOutcome { Error = "invalid input: " + e.Message }).ConfigureAwait(false);
                }

                newest = await remote.ReadNewestGoodAsync(e => Log.CheckpointSkipped(_logger, e.CheckpointId, e.Message), stop.Token).ConfigureAwait(false);
                if (newest is not null)
                {
                    await localCheckpoints.WriteAsync(newest, stop.Token).ConfigureAwait(false);
                    Log.Resuming(_logger, jobId, newest.Manifest.Id, newest.Manifest.Epoch, newest.Manifest.Step);
                }
            }

            if (spec.Training.MaxRuntimeSeconds is { } seconds) stop.StopAfter(TimeSpan.FromSeconds(seconds), StopCause.MaxRuntime);
            var mirror = new CheckpointMirror(jobId, localCheckpoints, remote, _store, CurrentLease, _logger);
            var dimensions = new MetricDimensions { JobId = jobId, JobName = spec.Name, Model = spec.Model.Type.ToString().ToLowerInvariant(), InstanceType = _identity.InstanceType };
            var events = new JobEvents(jobId, holder.Message.SentAt, slot.Gpus, _store, CurrentLease, _metrics.CreateSink(dimensions), mirror, _time, _logger);
            var log = JobLogShipper.Start(_logs, jobId, claimed.FencingToken, _identity, events);
            LaunchResult result;
            try
            {
                using var train = Telemetry.Source.StartActivity("train");
                result = await new Launcher(LaunchOptionsFor(slot, specFile, runDirectory, resume: newest is not null), log).RunAsync(stop.Token).ConfigureAwait(false);
            }
            finally
            {
                // The last progress, the metrics flushed, and every checkpoint the ranks reported handed to the mirror.
                await events.CompleteAsync().ConfigureAwait(false);
                await log.DisposeAsync().ConfigureAwait(false);
            }

            using (Telemetry.Source.StartActivity("upload"))
            {
                await mirror.DrainAsync().ConfigureAwait(false);
            }

            if (stop.Cause == StopCause.LeaseLost || mirror.LeaseLost) return LeaseLost(jobId);
            return await DecideAsync(holder, CurrentLease(), spec, stop.Cause, result, mirror, events, runDirectory).ConfigureAwait(false);
        }
        catch (LeaseLostException)
        {
            return LeaseLost(jobId);
        }
        catch (Exception e) when (e is not OperationCanceledException || stop.Token.IsCancellationRequested)
        {
            if (stop.Cause == StopCause.LeaseLost) return LeaseLost(jobId);
            if (stop.Cause == StopCause.Shutdown) return await HandOffAsync(holder, CurrentLease()).ConfigureAwait(false);
            return await FailAttemptAsync(holder, CurrentLease(), e.Message).ConfigureAwait(false);
        }
        finally
        {
            await heartbeats.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
        }
    }

    private async Task<string> DecideAsync(MessageHolder holder, JobLease lease, JobSpec spec, StopCause cause, LaunchResult result,
        CheckpointMirror mirror, JobEvents events, string runDirectory)
    {
        if (result.Succeeded && mirror.Failure is null)
        {
            var (modelUri, metrics) = await UploadResultsAsync(lease.JobId, runDirectory, events.LatestMetrics).ConfigureAwait(false);
            return await SettleAsync(holder, lease, JobStatus.Succeeded, new JobOutcome { ModelUri = modelUri, FinalMetrics = metrics }).ConfigureAwait(false);
        }

        switch (cause)
        {
            case StopCause.CancelRequested:
                return await SettleAsync(holder, lease, JobStatus.Cancelled,
                    new JobOutcome { Error = "cancelled by request", FinalMetrics = events.LatestMetrics }).ConfigureAwait(false);
            case StopCause.Shutdown:
                return await HandOffAsync(holder, lease).ConfigureAwait(false);
            case StopCause.MaxRuntime:
                return await SettleAsync(holder, lease, JobStatus.Failed,
                    new JobOutcome { Error = $"training.max_runtime_seconds: stopped after {spec.Training.MaxRuntimeSeconds} s", FinalMetrics = events.LatestMetrics }).ConfigureAwait(false);
        }

        var error = mirror.Failure is { } upload ? "checkpoint upload failed: " + upload.Message
            : result.Failure is { } f ? $"rank {f.Rank}: {f.Error}: {f.Message}"
            : events.LastRankError ?? "the ranks failed";
        // Bad input (spec, data, checkpoint) fails the same way every time: no retry. A rendezvous that failed
        // (the machine's port or network) is the worker's problem, not the job's: that attempt is retried.
        return result.InvalidInput && result.Failure?.Error != "rendezvous_failed"
            ? await SettleAsync(holder, lease, JobStatus.Failed, new JobOutcome { Error = error }).ConfigureAwait(false)
            : await FailAttemptAsync(holder, lease, error).ConfigureAwait(false);
    }

    // A failure that a later attempt may not repeat: back to the queue after a backoff, or Failed and dead-lettered when used up.
    private async Task<string> FailAttemptAsync(MessageHolder holder, JobLease lease, string error)
    {
        var history = await _store.GetHistoryAsync(lease.JobId, CancellationToken.None).ConfigureAwait(false);
        var failures = history.Count(h => h.Status == JobStatus.Queued && h.Reason?.StartsWith(FailedAttemptPrefix, StringComparison.Ordinal) == true) + 1;
        if (failures >= _options.MaxAttempts)
        {
            var reason = $"failed {failures} of {_options.MaxAttempts} attempts; the last: {error}";
            await _store.FinishAsync(lease, JobStatus.Failed, new JobOutcome { Error = reason }, CancellationToken.None).ConfigureAwait(false);
            if (holder.Held) await _queue.DeadLetterAsync(holder.Message, reason, CancellationToken.None).ConfigureAwait(false);
            return "failed";
        }

        var backoff = Clamp(_options.RetryBackoff * Math.Pow(2, failures - 1), TimeSpan.Zero, MaxBackoff);
        await _store.FinishAsync(lease, JobStatus.Queued,
            new JobOutcome { Error = $"{FailedAttemptPrefix} ({failures} of {_options.MaxAttempts}), retry in {backoff.TotalSeconds:F0} s: {error}" },
            CancellationToken.None).ConfigureAwait(false);
        if (holder.Held) await _queue.ExtendAsync(holder.Message, backoff, CancellationToken.None).ConfigureAwait(false);
        return "retrying";
    }

    // The worker stops: the newest checkpoint is durable, so another worker resumes from it right away.
    private async Task<string> HandOffAsync(MessageHolder holder, JobLease lease)
    {
        await _store.FinishAsync(lease, JobStatus.Queued, new JobOutcome { Error = $"handed off by {lease.WorkerId}: {_state.StopReason}" }, CancellationToken.None).ConfigureAwait(false);
        if (holder.Held) await _queue.ReleaseAsync(holder.Message, CancellationToken.None).ConfigureAwait(false);
        return "handed_off";
    }

    // The outcome is durable before the message goes, so a crash in between only repeats a delete.
    private async Task<string> SettleAsync(MessageHolder holder, JobLease lease, JobStatus status, JobOutcome outcome)
    {
        await _store.FinishAsync(lease, status, outcome, CancellationToken.None).ConfigureAwait(false);
        if (holder.Held) await _queue.CompleteAsync(holder.Message, CancellationToken.None).ConfigureAwait(false);
        return status.ToString().ToLowerInvariant();
    }

    private string LeaseLost(string jobId)
    {
        Log.LeaseLost(_logger, jobId);
        return "lease_lost";
    }

    private async Task<(string ModelUri, IReadOnlyDictionary<string, double> Metrics)> UploadResultsAsync(string jobId, string runDirectory,
        IReadOnlyDictionary<string, double> latest)
    {
        using var upload = Telemetry.Source.StartActivity("upload_model");
        string? modelUri = null;
        foreach (var name in new[] { "model.pt", "model.torchscript.pt", "report.json", "metrics.jsonl", "learning_curves.svg", "confusion_matrix.svg", "roc_curve.svg" })
        {
            var path = Path.Combine(runDirectory, name);
            if (!File.Exists(path)) continue;
            var uri = await _storage.UploadModelAsync(jobId, path, CancellationToken.None).ConfigureAwait(false);
            if (name == "model.pt") modelUri = uri;
        }

        var metrics = new Dictionary<string, double>(latest);
        var report = Path.Combine(runDirectory, "report.json");
        if (File.Exists(report))
        {
            using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(report).ConfigureAwait(false));
            foreach (var (section, prefix) in new[] { ("validation", "val_"), ("test", "test_") })
            {
                if (!doc.RootElement.TryGetProperty(section, out var values) || values.ValueKind != JsonValueKind.Object) continue;
                foreach (var p in values.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number)) metrics[prefix + p.Name] = p.Value.GetDouble();
            }

            if (doc.RootElement.TryGetProperty("epochs_run", out var epochs)) metrics["epochs_run"] = epochs.GetDouble();
        }

        return (modelUri ?? throw new FileNotFoundException($"the run left no model.pt in {runDirectory}"), metrics);
    }

    private LaunchOptions LaunchOptionsFor(JobSlot slot, string specFile, string runDirectory, bool resume)
    {
        var program = _program.Value;
        var environment = new Dictionary<string, string>
        {
            // TorchScript models fetched from S3 live in the cache; the job's own directory holds the rest.
            ["TW_MODEL_ALLOW"] = string.Join(':', _cache.Root, Path.GetDirectoryName(specFile)!),
        };
        if (slot.Gpus.Count > 0) environment["CUDA_VISIBLE_DEVICES"] = string.Join(',', slot.Gpus);
        // Jobs side by side share the cores: OpenMP threads that spin after each op would slow all of them.
        if (_options.MaxConcurrentJobs > 1 && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) environment["OMP_WAIT_POLICY"] = "PASSIVE";
        return new LaunchOptions
        {
            Executable = program.Executable,
            Arguments = program.Arguments(specFile, runDirectory, resume),
            ProcessesPerNode = slot.Processes,
            // A fixed port can be taken by anything on the machine (an ephemeral client port); a free one cannot, at launch.
            MasterPort = _options.MasterPort == 0 ? LaunchOptions.FreePort() : _options.MasterPort + slot.Index,
            MaxRestarts = _options.MaxRankRestarts,
            CollectiveTimeout = _options.CollectiveTimeout,
            ProgressTimeout = _options.ProgressTimeout,
            ResumeArguments = resume ? [] : ["--resume"],
            Environment = environment,
        };
    }

    // Renews the lease and the message's visibility, watches for cancel requests, and replaces the message before SQS's 12-hour cap.
    private async Task HeartbeatAsync(MessageHolder holder, Func<JobLease> lease, Action<JobLease> renewed, JobStop stop, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var current = lease();
                try
                {
                    renewed(await _store.HeartbeatAsync(current, _options.LeaseDuration, cancellationToken).ConfigureAwait(false));
                    if (holder.Held)
                    {
                        if (_time.GetUtcNow() - holder.ReceivedAt >= _options.MessageRenewAfter && holder.Message.Job is { } job)
                        {
                            await _queue.SubmitAsync(job, cancellationToken).ConfigureAwait(false);
                            await _queue.CompleteAsync(holder.Message, cancellationToken).ConfigureAwait(false);
                            holder.Held = false;
                            Log.MessageRenewed(_logger, current.JobId, holder.Message.ReceiveCount);
                        }
                        else
                        {
                            await _queue.ExtendAsync(holder.Message, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    if (await _store.GetAsync(current.JobId, cancellationToken).ConfigureAwait(false) is { CancelRequested: true })
                    {
                        Log.CancelRequested(_logger, current.JobId);
                        stop.Stop(StopCause.CancelRequested);
                    }
                }
                catch (LeaseLostException)
                {
                    stop.Stop(StopCause.LeaseLost);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A missed heartbeat is survivable until the lease runs out; then another worker may own the job.
                    Log.HeartbeatFailed(_logger, current.JobId, e.Message);
                    if (_time.GetUtcNow() >= current.ExpiresAt)
                    {
                        stop.Stop(StopCause.LeaseLost);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The job ended.
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    /// <summary>The message as received; after a renewal its copy is on the queue and this one is gone.</summary>
    private sealed class MessageHolder(ReceivedJob message, DateTimeOffset receivedAt)
    {
        public ReceivedJob Message { get; } = message;
        public DateTimeOffset ReceivedAt { get; } = receivedAt;
        public bool Held { get; set; } = true;
    }
}

/// <summary>Who this worker is: its id in leases, and the instance type for metric dimensions.</summary>
internal sealed record WorkerIdentity(string WorkerId, string? InstanceId, string? InstanceType)
{
    public static WorkerIdentity Local(string? configured) =>
        new(configured is { Length: > 0 } ? configured : $"{Environment.MachineName}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}", null, null);
}
