using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Aws;

/// <summary>Log messages of the AWS adapters (event ids 5000-5999). Never log credentials, signatures or request headers.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Warning, "{Service} {Operation} failed with {ErrorCode}; attempt {Attempt} in {Delay}")]
    public static partial void Retrying(ILogger logger, string service, string operation, string errorCode, int attempt, TimeSpan delay);

    [LoggerMessage(5100, LogLevel.Warning, "Queue message {MessageId} (receive {ReceiveCount}) is not a job: {Problem}")]
    public static partial void UnreadableMessage(ILogger logger, string messageId, int receiveCount, string problem);

    [LoggerMessage(5200, LogLevel.Warning, "Sending metrics to CloudWatch failed with {ErrorCode} (transient: {IsTransient}); they stay buffered")]
    public static partial void MetricsSendFailed(ILogger logger, string errorCode, bool isTransient);

    [LoggerMessage(5201, LogLevel.Warning, "{Count} metric points were dropped because the buffer was full")]
    public static partial void MetricsDropped(ILogger logger, long count);

    [LoggerMessage(5202, LogLevel.Error, "{Count} metric points could not be sent at shutdown: {Reason}")]
    public static partial void MetricsLostAtShutdown(ILogger logger, int count, string reason);

    [LoggerMessage(5300, LogLevel.Information, "Cached {Uri}: {Objects} objects, {Bytes} bytes")]
    public static partial void DatasetCached(ILogger logger, string uri, int objects, long bytes);

    [LoggerMessage(5301, LogLevel.Information, "Evicted cache entry {Key} ({Bytes} bytes), least recently used")]
    public static partial void DatasetEvicted(ILogger logger, string key, long bytes);

    [LoggerMessage(5400, LogLevel.Warning, "Job logs are not shipped: log group {Group} does not exist ({Message})")]
    public static partial void JobLogGroupMissing(ILogger logger, string group, string message);

    [LoggerMessage(5401, LogLevel.Warning, "Sending job log {Stream} failed with {ErrorCode}; the lines stay buffered")]
    public static partial void JobLogSendFailed(ILogger logger, string stream, string errorCode);

    [LoggerMessage(5402, LogLevel.Error, "The rest of job log {Stream} could not be sent at the end: {Reason}")]
    public static partial void JobLogLost(ILogger logger, string stream, string reason);
}
