using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Coordinator;

/// <summary>Log messages of the coordinator (event ids 7000-7999).</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Information, "Coordinator {CoordinatorId} started: lease {Lease}, step every {Poll}, at most {MaxStudies} studies, table {Table}")]
    public static partial void Started(ILogger logger, string coordinatorId, TimeSpan lease, TimeSpan poll, int maxStudies, string table);

    [LoggerMessage(7001, LogLevel.Information, "Coordinator stopping; releasing {Studies} studies for another coordinator")]
    public static partial void Stopping(ILogger logger, int studies);

    [LoggerMessage(7002, LogLevel.Critical, "The coordinator stops for good (exit code 3): {Message}")]
    public static partial void Fatal(ILogger logger, string message);

    [LoggerMessage(7004, LogLevel.Error, "The study loop failed; the coordinator exits with code 1")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(7005, LogLevel.Warning, "The table could not be reached ({Message}); trying again")]
    public static partial void StoreUnreachable(ILogger logger, string message);

    [LoggerMessage(7010, LogLevel.Information, "Study {StudyId} ({Kind}): {How} (fencing token {Token})")]
    public static partial void Claimed(ILogger logger, string studyId, string kind, string how, long token);

    [LoggerMessage(7011, LogLevel.Warning, "Study {StudyId}: another coordinator holds it now; dropped without writing")]
    public static partial void LeaseLost(ILogger logger, string studyId);

    [LoggerMessage(7012, LogLevel.Warning, "Study {StudyId}: step failed ({Message}); the next step tries again")]
    public static partial void StepFailed(ILogger logger, string studyId, string message);

    [LoggerMessage(7013, LogLevel.Information, "Study {StudyId}: {Status}{Detail}")]
    public static partial void Finished(ILogger logger, string studyId, string status, string detail);

    [LoggerMessage(7014, LogLevel.Information, "Study {StudyId}: cancel requested; cancelling {Jobs} open job(s)")]
    public static partial void Cancelling(ILogger logger, string studyId, int jobs);

    [LoggerMessage(7020, LogLevel.Information, "Study {StudyId}: submitted job {JobId}")]
    public static partial void Submitted(ILogger logger, string studyId, string jobId);

    [LoggerMessage(7021, LogLevel.Information, "Study {StudyId}: job {JobId} was recorded but its message may not have been queued; queued it again (a duplicate message is harmless)")]
    public static partial void Requeued(ILogger logger, string studyId, string jobId);

    [LoggerMessage(7022, LogLevel.Warning, "Study {StudyId}: job {JobId} could not be queued ({Message}); it is submitted again under a new id")]
    public static partial void NotQueued(ILogger logger, string studyId, string jobId, string message);

    [LoggerMessage(7023, LogLevel.Information, "Study {StudyId}: cancel sent for job {JobId} ({Why})")]
    public static partial void CancelSent(ILogger logger, string studyId, string jobId, string why);

    [LoggerMessage(7030, LogLevel.Information, "Study {StudyId}: stage {Stage} of {Approach} ended {Status}; best checkpoint {Checkpoint} (epoch {Epoch}, {Monitor} {Value})")]
    public static partial void StageEnded(ILogger logger, string studyId, string stage, string approach, string status, string checkpoint, int epoch, string monitor, double value);

    [LoggerMessage(7031, LogLevel.Information, "Study {StudyId}: trial {Trial} stopped at epoch {Epoch}: {Reason}")]
    public static partial void TrialStopped(ILogger logger, string studyId, int trial, int epoch, string reason);

    [LoggerMessage(7032, LogLevel.Information, "Study {StudyId}: trial {Trial} {Status}, objective {Objective}")]
    public static partial void TrialEnded(ILogger logger, string studyId, int trial, string status, double objective);
}
