namespace TrainingWorkers.Aws.Logs;

/// <summary>
/// Reads a job's log, attempt after attempt. Each <see cref="ReadNewAsync"/> returns the lines written since the
/// previous call (all of them the first time), so a caller follows a running job by calling it again.
/// </summary>
public sealed class JobLogReader
{
    // A page of GetLogEvents is at most 10,000 events or 1 MB; this bounds one call's work on a huge log.
    private const int MaxPagesPerStream = 1000;
    private readonly CloudWatchLogsClient _client;
    private readonly string _group;
    private readonly string _jobId;
    private readonly SortedDictionary<string, string?> _tokens = new(StringComparer.Ordinal);

    internal JobLogReader(CloudWatchLogsClient client, string group, string jobId)
    {
        (_client, _group, _jobId) = (client, group, jobId);
    }

    /// <summary>Whether any stream of the job has been seen: false before its first attempt has written.</summary>
    public bool HasStreams => _tokens.Count > 0;

    /// <summary>The lines written since the last call, oldest attempt first.</summary>
    public async Task<IReadOnlyList<JobLogLine>> ReadNewAsync(CancellationToken cancellationToken)
    {
        foreach (var stream in await _client.DescribeLogStreamsAsync(_group, JobLogStreams.Prefix(_jobId), cancellationToken).ConfigureAwait(false))
        {
            _tokens.TryAdd(stream.LogStreamName, null);
        }

        var lines = new List<JobLogLine>();
        foreach (var stream in _tokens.Keys.ToList())
        {
            var attempt = JobLogStreams.Attempt(stream) ?? 0;
            var token = _tokens[stream];
            for (var page = 0; page < MaxPagesPerStream; page++)
            {
                var (events, next) = await _client.GetLogEventsAsync(_group, stream, token, cancellationToken).ConfigureAwait(false);
                lines.AddRange(events.Select(e => new JobLogLine(attempt, DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp), e.Message)));
                // The end of a stream: no events, or the same token handed back.
                var end = events.Count == 0 || next is null || next == token;
                token = next ?? token;
                if (end) break;
            }

            _tokens[stream] = token;
        }

        return lines;
    }
}
