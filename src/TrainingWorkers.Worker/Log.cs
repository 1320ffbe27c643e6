using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Worker;

/// <summary>Log messages of the worker (event ids 6000-6999).</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "Worker {WorkerId} polling {QueueUrl}: {Slots} job slot(s), {Processes} rank(s) per job, GPUs [{Gpus}]")]
    public static partial void Started(ILogger logger, string workerId, string queueUrl, int slots, int processes, string gpus);

    [LoggerMessage(6001, LogLevel.Information, "Worker stopping ({Reason}); handing off {Jobs} running job(s)")]
    public static partial void Stopping(ILogger logger, string reason, int jobs);

    [LoggerMessage(6002, LogLevel.Critical, "The worker stops for good (exit code 3): {Message}")]
    public static partial void FatalConfiguration(ILogger logger, string message);

    [LoggerMessage(6003, LogLevel.Warning, "The queue could not be reached ({Message}); trying again in {Delay}")]
    public static partial void ReceiveFailed(ILogger logger, string message, TimeSpan delay);

    [LoggerMessage(6010, LogLevel.Warning, "Message {MessageId} is not a job ({Problem}); moved to the dead-letter queue")]
    public static partial void UnreadableMessage(ILogger logger, string messageId, string problem);

    [LoggerMessage(6011, LogLevel.Information, "Job {JobId}: claimed (attempt {Attempt}, fencing token {Token}, slot {Slot})")]
    public static partial void JobClaimed(ILogger logger, string jobId, int attempt, long token, int slot);

    [LoggerMessage(6012, LogLevel.Information, "Job {JobId}: {Outcome} after {Seconds:F1} s on this worker")]
    public static partial void JobEnded(ILogger logger, string jobId, string outcome, double seconds);

    [LoggerMessage(6013, LogLevel.Information, "Job {JobId} is {Status}: duplicate message deleted")]
    public static partial void DuplicateDeleted(ILogger logger, string jobId, string status);

    [LoggerMessage(6014, LogLevel.Information, "Job {JobId} is held by {Owner}; looking again in {Seconds:F0} s")]
    public static partial void HeldElsewhere(ILogger logger, string jobId, string owner, double seconds);

    [LoggerMessage(6015, LogLevel.Information, "Job {JobId}: message replaced by a fresh copy (receive count {ReceiveCount})")]
    public static partial void MessageRenewed(ILogger logger, string jobId, int receiveCount);

    [LoggerMessage(6016, LogLevel.Information, "Job {JobId}: resuming from checkpoint {CheckpointId} (epoch {Epoch}, step {Step})")]
    public static partial void Resuming(ILogger logger, string jobId, string checkpointId, int epoch, long step);

    [LoggerMessage(6017, LogLevel.Warning, "Job {JobId}: another worker holds the lease now; stopped without writing")]
    public static partial void LeaseLost(ILogger logger, string jobId);

    [LoggerMessage(6018, LogLevel.Information, "Job {JobId}: cancel requested; stopping the ranks")]
    public static partial void CancelRequested(ILogger logger, string jobId);

    [LoggerMessage(6019, LogLevel.Warning, "Job {JobId}: heartbeat failed ({Message})")]
    public static partial void HeartbeatFailed(ILogger logger, string jobId, string message);

    [LoggerMessage(6020, LogLevel.Error, "Job {JobId}: unexpected error; the message returns after its visibility timeout")]
    public static partial void JobCrashed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(6021, LogLevel.Information, "Job {JobId}: given back at once, the worker is stopping ({Reason})")]
    public static partial void GivenBack(ILogger logger, string jobId, string reason);

    [LoggerMessage(6022, LogLevel.Warning, "Message {MessageId} could not be given back ({Message}); it returns after its visibility timeout")]
    public static partial void GiveBackFailed(ILogger logger, string messageId, string message);

    [LoggerMessage(6023, LogLevel.Error, "The poll loop failed; the worker exits with code 1")]
    public static partial void PollLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(6030, LogLevel.Information, "Job {JobId}: checkpoint {CheckpointId} is durable in {Location}")]
    public static partial void CheckpointUploaded(ILogger logger, string jobId, string checkpointId, string location);

    [LoggerMessage(6031, LogLevel.Warning, "Checkpoint {CheckpointId} skipped: {Reason}")]
    public static partial void CheckpointSkipped(ILogger logger, string checkpointId, string reason);

    [LoggerMessage(6032, LogLevel.Error, "Checkpoint {CheckpointId} could not be uploaded: {Message}")]
    public static partial void CheckpointUploadFailed(ILogger logger, string checkpointId, string message);

    [LoggerMessage(6033, LogLevel.Debug, "Job {JobId}: progress not recorded ({Message})")]
    public static partial void ProgressNotRecorded(ILogger logger, string jobId, string message);

    [LoggerMessage(6035, LogLevel.Warning, "Job {JobId}: epoch {Epoch}'s metrics not recorded ({Message})")]
    public static partial void EpochNotRecorded(ILogger logger, string jobId, int epoch, string message);

    [LoggerMessage(6034, LogLevel.Information, "Job {JobId}: first training step {Milliseconds:F0} ms after the job was submitted")]
    public static partial void FirstStep(ILogger logger, string jobId, double milliseconds);

    [LoggerMessage(6040, LogLevel.Information, "Job {JobId} rank {Rank}: {Line}")]
    public static partial void RankLog(ILogger logger, string jobId, int rank, string line);

    [LoggerMessage(6041, LogLevel.Warning, "Job {JobId}: rank group stopped (group attempt {Attempt}): {Error}; restarting: {Restarting}")]
    public static partial void RankGroupStopped(ILogger logger, string jobId, int attempt, string error, bool restarting);

    [LoggerMessage(6050, LogLevel.Warning, "Instance notice: {Notice}; the worker hands off its jobs and stops")]
    public static partial void InstanceNotice(ILogger logger, string notice);

    [LoggerMessage(6051, LogLevel.Warning, "Instance metadata or Auto Scaling call failed: {Message}")]
    public static partial void InstanceCallFailed(ILogger logger, string message);

    [LoggerMessage(6052, LogLevel.Information, "Scale-in protection {State} for {InstanceId} in {Group}")]
    public static partial void Protection(ILogger logger, string state, string instanceId, string group);

    [LoggerMessage(6053, LogLevel.Information, "Lifecycle action {Hook} completed for {InstanceId}")]
    public static partial void LifecycleCompleted(ILogger logger, string hook, string instanceId);
}
