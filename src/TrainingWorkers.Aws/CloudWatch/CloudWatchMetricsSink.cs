using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>
/// Publishes training metrics to CloudWatch without ever blocking training: <see cref="Publish"/> only
/// appends to a bounded buffer (dropping the oldest, counted, when CloudWatch is unreachable for long);
/// an owned background task sends batches of up to 1000 every flush interval, or sooner when a batch is
/// full; <see cref="DisposeAsync"/> sends what is left within a bounded time.
/// </summary>
internal sealed class CloudWatchMetricsSink : IMetricsSink
{
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(15);
    private readonly CloudWatchClient _client;
    private readonly MetricsOptions _options;
    private readonly IReadOnlyList<CloudWatchDimension> _dimensions;
    private readonly ILogger _logger;
    private readonly MetricBuffer<MetricPoint> _buffer;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly SemaphoreSlim _batchReady = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private long _dropped;
    private long _invalid;
    private long _sent;

    public CloudWatchMetricsSink(CloudWatchClient client, MetricsOptions options, MetricDimensions dimensions, ILogger<CloudWatchMetricsSink> logger)
        : this(client, options, dimensions.ToCloudWatch(options.PerRankMetrics), logger)
    {
    }

    public CloudWatchMetricsSink(CloudWatchClient client, MetricsOptions options, IReadOnlyList<CloudWatchDimension> dimensions, ILogger<CloudWatchMetricsSink> logger)
    {
        _client = client;
        _options = options;
        _dimensions = dimensions;
        _logger = logger;
        _buffer = new MetricBuffer<MetricPoint>(options.BufferCapacity);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Points dropped because the buffer was full (CloudWatch unreachable or too slow).</summary>
    public long DroppedPoints => Interlocked.Read(ref _dropped);

    /// <summary>Points refused because CloudWatch cannot store them (NaN or infinite values).</summary>
    public long InvalidPoints => Interlocked.Read(ref _invalid);

    /// <summary>Points CloudWatch has accepted.</summary>
    public long SentPoints => Interlocked.Read(ref _sent);

    public void Publish(IReadOnlyList<MetricPoint> points)
    {
        bool wake;
        lock (_gate)
        {
            var before = _buffer.Count;
            foreach (var point in points)
            {
                if (!double.IsFinite(point.Value))
                {
                    _invalid++;
                    continue;
                }

                _dropped += _buffer.Add(point);
            }

            wake = before < CloudWatchClient.MaxDatumsPerCall && _buffer.Count >= CloudWatchClient.MaxDatumsPerCall;
        }

        if (wake) _batchReady.Release();
    }

    /// <summary>Sends everything buffered now; throws <see cref="AwsServiceException"/> if CloudWatch refuses or cannot be reached (the points stay buffered).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var batch = new List<MetricPoint>(CloudWatchClient.MaxDatumsPerCall);
            while (true)
            {
                batch.Clear();
                lock (_gate) _buffer.Take(batch, CloudWatchClient.MaxDatumsPerCall);
                if (batch.Count == 0) return;
                try
                {
                    await _client.PutMetricDataAsync(_options.Namespace, batch.ConvertAll(ToDatum), cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _sent, batch.Count);
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
            int left;
            lock (_gate) left = _buffer.Count;
            Log.MetricsLostAtShutdown(_logger, left, e.Message);
        }

        if (DroppedPoints > 0) Log.MetricsDropped(_logger, DroppedPoints);
        _stopping.Dispose();
        _sending.Dispose();
        _batchReady.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _batchReady.WaitAsync(_options.FlushInterval, _stopping.Token).ConfigureAwait(false);
                await FlushAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (AwsServiceException e)
            {
                // The points stay buffered for the next interval; the buffer's bound keeps memory in check.
                Log.MetricsSendFailed(_logger, e.ErrorCode, e.IsTransient);
            }
        }
    }

    private MetricDatum ToDatum(MetricPoint p) => new()
    {
        MetricName = p.Name,
        Value = p.Value,
        Unit = p.Unit switch
        {
            MetricUnit.CountPerSecond => "Count/Second",
            _ => p.Unit.ToString(),
        },
        Timestamp = p.Timestamp.ToUnixTimeMilliseconds() / 1000.0,
        Dimensions = _dimensions,
        StorageResolution = _options.HighResolution ? 1 : 60,
    };
}
