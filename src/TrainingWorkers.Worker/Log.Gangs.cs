using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Worker;

/// <summary>Log messages of multi-node jobs (event ids 6100-6199).</summary>
internal static partial class Log
{
    [LoggerMessage(6100, LogLevel.Information, "Worker {WorkerId} registered at {Address} with {Slots} slot(s) of {Gpus} GPU(s)")]
    public static partial void Registered(ILogger logger, string workerId, string address, int slots, int gpus);

    [LoggerMessage(6101, LogLevel.Warning, "Registration heartbeat failed ({Message})")]
    public static partial void RegistrationFailed(ILogger logger, string message);

    [LoggerMessage(6102, LogLevel.Information, "Job {JobId}: gang of {Nodes} formed (fencing token {Token}): {Members}; rendezvous at {Address}:{Port}")]
    public static partial void GangFormed(ILogger logger, string jobId, int nodes, long token, string members, string address, int port);

    [LoggerMessage(6103, LogLevel.Information, "Job {JobId}: needs {Nodes} idle workers, {Idle} are; holding nothing, back in {Seconds:F0} s")]
    public static partial void GangWaiting(ILogger logger, string jobId, int nodes, int idle, double seconds);

    [LoggerMessage(6104, LogLevel.Information, "Job {JobId}: this worker's slot went to another gang first; message given back")]
    public static partial void SlotReserved(ILogger logger, string jobId);

    [LoggerMessage(6105, LogLevel.Information, "Job {JobId}: joined the gang as node {Node} (fencing token {Token}), rendezvous at {Address}:{Port}")]
    public static partial void GangJoined(ILogger logger, string jobId, int node, long token, string address, int port);

    [LoggerMessage(6106, LogLevel.Information, "Job {JobId}: reservation for node {Node} (fencing token {Token}) is stale; released")]
    public static partial void ReservationStale(ILogger logger, string jobId, int node, long token);

    [LoggerMessage(6107, LogLevel.Warning, "Job {JobId}: the gang stops ({Cause}): {Reason}")]
    public static partial void GangStops(ILogger logger, string jobId, StopCause cause, string reason);

    [LoggerMessage(6108, LogLevel.Information, "Job {JobId}: node {Node} ended ({Outcome})")]
    public static partial void NodeEnded(ILogger logger, string jobId, int node, string outcome);

    [LoggerMessage(6109, LogLevel.Information, "Job {JobId}: node {Node} asks node 0 to hand the job off: {Reason}")]
    public static partial void HandOffRequested(ILogger logger, string jobId, int node, string reason);

    [LoggerMessage(6110, LogLevel.Warning, "Job {JobId}: gang watch failed ({Message})")]
    public static partial void GangWatchFailed(ILogger logger, string jobId, string message);
}
