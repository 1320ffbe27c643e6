using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Hosting;

/// <summary>Log messages of what the hosts share (event ids 8000-8999).</summary>
internal static partial class Log
{
    [LoggerMessage(8000, LogLevel.Information, "Health endpoints on http://127.0.0.1:{Port}/health/live and /health/ready")]
    public static partial void HealthListening(ILogger logger, int port);
}
