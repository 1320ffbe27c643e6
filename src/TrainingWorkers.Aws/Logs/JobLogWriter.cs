using System.Text;
using Microsoft.Extensions.Logging;
using TrainingWorkers.Aws.CloudWatch;

namespace TrainingWorkers.Aws.Logs;

/// <summary>
/// One job attempt's log stream. <see cref="Write"/> only appends to a bounded buffer (the oldest lines are
/// dropped, and counted, while CloudWatch Logs is unreachable); an owned background task sends a batch every
/// flush interval; <see cref="DisposeAsync"/> sends what is left within a bounded time. A job never fails
/// because its log could not be shipped: a missing log group turns shipping off with one warning.
/// </summary>
public sealed class JobLogWriter : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(10);
    private readonly CloudWatchLogsClient _client;
    private readonly string _group;
    private readonly TimeSpan _flushInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MetricBuffer<InputLogEvent> _buffer;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private bool _streamCreated;
    private bool _off;
    private long _dropped;

    internal JobLogWriter(CloudWatchLogsClient client, string group, string stream, LogsOptions options, TimeProvider time, ILogger logger)
    {
        (_client, _group, StreamName, _flushInterval, _time, _logger) = (client, group, stream, options.FlushInterval, time, logger);
        _buffer = new MetricBuffer<InputLogEvent>(options.BufferCapacity);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The stream this attempt's lines go to.</summary>
    public string StreamName { get; }

    /// <summary>Lines dropped because the buffer was full.</summary>
    public long DroppedLines => Interlocked.Read(ref _dropped);

    /// <summary>Queues one line, stamped now. Never blocks on the network.</summary>
    public void Write(string line)
    {
        if (Volatile.Read(ref _off)) return;
        var message = Truncate(line.Length == 0 ? " " : line);
        lock (_gate) _dropped += _buffer.Add(new InputLogEvent(_time.GetUtcNow().ToUnixTimeMilliseconds(), message));
    }

    /// <summary>Sends everything buffered now; throws <see cref="AwsServiceException"/> when the service refuses or cannot be reached (the lines stay buffered).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var batch = new List<InputLogEvent>();
            while (!_off)
            {
                batch.Clear();
                lock (_gate) TakeBatch(batch);
                if (batch.Count == 0) return;
                try
                {
                    if (!_streamCreated)
                    {
                        await _client.CreateLogStreamAsync(_group, StreamName, cancellationToken).ConfigureAwait(false);
                        _streamCreated = true;
                    }

                    var rejected = await _client.PutLogEventsAsync(_group, StreamName, batch, cancellationToken).ConfigureAwait(false);
                    if (rejected > 0) Interlocked.Add(ref _dropped, rejected);
                }
                catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
                {
                    // No log group: the fleet was set up without one. Training goes on; its log stays on the worker.
                    Volatile.Write(ref _off, true);
                    Log.JobLogGroupMissing(_logger, _group, e.Message);
                }
                catch
                {
                    lock (_gate) _dropped += _buffer.ReturnToFront(batch);
                    throw;
                }
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(ShutdownFlushTimeout);
        try
        {
            await FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AwsServiceException || (e is OperationCanceledException && timeout.IsCancellationRequested))
        {
            Log.JobLogLost(_logger, StreamName, e.Message);
        }

        _stopping.Dispose();
        _sending.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_flushInterval, _time, _stopping.Token).ConfigureAwait(false);
                await FlushAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (AwsServiceException e)
            {
                Log.JobLogSendFailed(_logger, StreamName, e.ErrorCode);
            }
        }
    }

    // As many of the oldest lines as one PutLogEvents call takes.
    private void TakeBatch(List<InputLogEvent> batch)
    {
        var bytes = 0;
        var one = new List<InputLogEvent>(1);
        while (_buffer.Count > 0 && batch.Count < CloudWatchLogsClient.MaxEventsPerCall)
        {
            one.Clear();
            _buffer.Take(one, 1);
            var size = Encoding.UTF8.GetByteCount(one[0].Message) + CloudWatchLogsClient.BytesPerEventOverhead;
            if (batch.Count > 0 && bytes + size > CloudWatchLogsClient.MaxBytesPerCall)
            {
                _buffer.ReturnToFront(one);
                return;
            }

            bytes += size;
            batch.Add(one[0]);
        }
    }

    private static string Truncate(string line)
    {
        if (Encoding.UTF8.GetByteCount(line) <= CloudWatchLogsClient.MaxMessageBytes) return line;
        // A quarter of the limit in characters is always under it in bytes (at most 4 bytes a character).
        return string.Concat(line.AsSpan(0, CloudWatchLogsClient.MaxMessageBytes / 4), " [truncated]");
    }
}
