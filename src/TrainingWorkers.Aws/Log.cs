using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Aws;

/// <summary>Log messages of the AWS adapters (event ids 5000-5999). Never log credentials, signatures or request headers.</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Warning, "{Service} {Operation} failed with {ErrorCode}; attempt {Attempt} in {Delay}")]
    public static partial void Retrying(ILogger logger, string service, string operation, string errorCode, int attempt, TimeSpan delay);

    [LoggerMessage(5100, LogLevel.Warning, "Queue message {MessageId} (receive {ReceiveCount}) is not a job: {Problem}")]
    public static partial void UnreadableMessage(ILogger logger, string messageId, int receiveCount, string problem);
}
