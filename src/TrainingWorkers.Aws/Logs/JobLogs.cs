using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Aws.Logs;

/// <summary>
/// The jobs' logs on CloudWatch Logs (<see cref="LogsOptions.GroupName"/>): a writer per job attempt for the
/// worker, a reader per job for <c>tw logs</c>. Without a group name, writers drop what they are given.
/// </summary>
public sealed class JobLogs
{
    private readonly CloudWatchLogsClient _client;
    private readonly LogsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    internal JobLogs(CloudWatchLogsClient client, LogsOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        (_client, _options, _time, _loggers) = (client, options, time, loggers);
    }

    /// <summary>Whether a log group is configured, so that writers ship.</summary>
    public bool Enabled => !string.IsNullOrEmpty(_options.GroupName);

    /// <summary>The writer of one attempt's stream, or null when no log group is configured. Dispose it to send what is left.</summary>
    public JobLogWriter? OpenWriter(string jobId, long attempt) => Enabled
        ? new JobLogWriter(_client, _options.GroupName!, JobLogStreams.Name(jobId, attempt), _options, _time, _loggers.CreateLogger<JobLogWriter>())
        : null;

    /// <summary>A reader of every attempt's stream of <paramref name="jobId"/> in <paramref name="group"/> (default: the configured group).</summary>
    public JobLogReader OpenReader(string jobId, string? group = null) =>
        new(_client, group ?? _options.GroupName ?? throw new InvalidOperationException("Aws:Logs:GroupName must be set to read job logs"), jobId);

    /// <summary>Creates the log group (for <c>tw env create</c>); false when it exists already.</summary>
    public Task<bool> EnsureGroupAsync(string group, CancellationToken cancellationToken) => _client.CreateLogGroupAsync(group, cancellationToken);
}
