namespace TrainingWorkers.Aws.Logs;

/// <summary>
/// A small CloudWatch Logs client (the AWSSDK.CloudWatchLogs package is not available here) over the AWS JSON
/// protocol (<c>Logs_20140328</c>): the calls the worker makes to ship a job's log and those <c>tw logs</c> makes
/// to read it. moto 5.2.1 serves all of them.
/// </summary>
internal sealed class CloudWatchLogsClient
{
    /// <summary>PutLogEvents takes at most 10,000 events and 1,048,576 bytes: each message's UTF-8 bytes plus 26.</summary>
    public const int MaxEventsPerCall = 10_000;
    public const int MaxBytesPerCall = 1_048_576;
    public const int BytesPerEventOverhead = 26;

    /// <summary>One event's message is cut to this many bytes (the service's limit is 256 KiB with the overhead).</summary>
    public const int MaxMessageBytes = 256 * 1024 - BytesPerEventOverhead;

    private readonly AwsJsonClient _json;

    public CloudWatchLogsClient(HttpClient signedHttp, AwsConnection connection)
    {
        _json = new AwsJsonClient(signedHttp, connection, connection.EndpointFor("logs"), "logs", "Logs_20140328");
    }

    /// <summary>Creates a log group; false when it exists already.</summary>
    public async Task<bool> CreateLogGroupAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            await _json.SendAsync<LogGroupRequest, EmptyResponse>("CreateLogGroup", new(group), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceAlreadyExistsException")
        {
            return false;
        }
    }

    /// <summary>Creates a stream in <paramref name="group"/>; an existing one is fine.</summary>
    public async Task CreateLogStreamAsync(string group, string stream, CancellationToken cancellationToken)
    {
        try
        {
            await _json.SendAsync<LogStreamRequest, EmptyResponse>("CreateLogStream", new(group, stream), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceAlreadyExistsException")
        {
            // A retried creation, or the same attempt's stream opened again.
        }
    }

    /// <summary>Appends events, oldest first; returns how many the service rejected as too old or too new.</summary>
    public async Task<int> PutLogEventsAsync(string group, string stream, IReadOnlyList<InputLogEvent> events, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(events.Count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events.Count, MaxEventsPerCall);
        var response = await _json.SendAsync<PutLogEventsRequest, PutLogEventsResponse>("PutLogEvents", new(group, stream, events), cancellationToken)
            .ConfigureAwait(false);
        if (response.RejectedLogEventsInfo is not { } rejected) return 0;
        var tooOld = Math.Max(rejected.TooOldLogEventEndIndex ?? -1, rejected.ExpiredLogEventEndIndex ?? -1) + 1;
        var tooNew = rejected.TooNewLogEventStartIndex is { } start ? events.Count - start : 0;
        return tooOld + tooNew;
    }

    /// <summary>One page of a stream's events from <paramref name="nextToken"/> on (from the start when null), and the token to go on from.</summary>
    public async Task<(IReadOnlyList<OutputLogEvent> Events, string? NextToken)> GetLogEventsAsync(string group, string stream, string? nextToken,
        CancellationToken cancellationToken)
    {
        var response = await _json.SendAsync<GetLogEventsRequest, GetLogEventsResponse>("GetLogEvents", new(group, stream, true, nextToken), cancellationToken)
            .ConfigureAwait(false);
        return (response.Events ?? [], response.NextForwardToken);
    }

    /// <summary>Every stream of <paramref name="group"/> whose name starts with <paramref name="prefix"/>, in name order.</summary>
    public async Task<IReadOnlyList<LogStream>> DescribeLogStreamsAsync(string group, string prefix, CancellationToken cancellationToken)
    {
        var streams = new List<LogStream>();
        string? token = null;
        do
        {
            var page = await _json.SendAsync<DescribeLogStreamsRequest, DescribeLogStreamsResponse>("DescribeLogStreams", new(group, prefix, token),
                cancellationToken).ConfigureAwait(false);
            streams.AddRange(page.LogStreams ?? []);
            token = page.NextToken;
        }
        while (token is not null);
        return streams;
    }
}
