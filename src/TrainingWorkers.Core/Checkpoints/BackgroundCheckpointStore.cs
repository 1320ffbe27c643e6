using System.Threading.Channels;

namespace TrainingWorkers.Core.Checkpoints;

/// <summary>
/// Lets training go on while checkpoints upload: <see cref="WriteAsync"/> queues the checkpoint and returns
/// (it waits only when <c>maxPending</c> uploads are already queued, to bound memory). Uploads run one at a
/// time, in order, on one owned task. <see cref="DrainAsync"/> waits for all of them and rethrows the first
/// failure: call it before reporting a job done. Reads, lists and deletes go straight to the inner store.
/// </summary>
public sealed class BackgroundCheckpointStore : ICheckpointStore, IAsyncDisposable
{
    private readonly ICheckpointStore _inner;
    private readonly Channel<(Checkpoint Checkpoint, TaskCompletionSource Done)> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _uploader;
    private readonly object _gate = new();
    private Task _lastWrite = Task.CompletedTask;
    private Exception? _failure;

    public BackgroundCheckpointStore(ICheckpointStore inner, int maxPending = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPending, 1);
        _inner = inner;
        _queue = Channel.CreateBounded<(Checkpoint, TaskCompletionSource)>(new BoundedChannelOptions(maxPending) { SingleReader = true });
        _uploader = Task.Run(UploadLoopAsync);
    }

    public string Location => _inner.Location;

    /// <summary>The first upload that failed, if any; later writes fail fast with it.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Queues the checkpoint for upload and returns once it is queued (not uploaded).</summary>
    public async Task WriteAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        if (Failure is { } failure) throw new IOException($"an earlier checkpoint upload failed: {failure.Message}", failure);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((checkpoint, done), cancellationToken).ConfigureAwait(false);
        lock (_gate) _lastWrite = done.Task;
    }

    /// <summary>Waits until every queued checkpoint is durable; throws the first upload failure.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        Task last;
        lock (_gate) last = _lastWrite;
        await last.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Failure is { } failure) throw new IOException($"a checkpoint upload failed: {failure.Message}", failure);
    }

    public Task<IReadOnlyList<CheckpointManifest>> ListAsync(CancellationToken cancellationToken) => _inner.ListAsync(cancellationToken);

    public Task<Checkpoint> ReadAsync(string id, CancellationToken cancellationToken) => _inner.ReadAsync(id, cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken) => _inner.DeleteAsync(id, cancellationToken);

    /// <summary>Stops taking writes, cancels uploads still queued or running, and waits for the uploader to end.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _uploader.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task UploadLoopAsync()
    {
        await foreach (var (checkpoint, done) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (Failure is { } earlier) throw new IOException("not uploaded: an earlier checkpoint upload failed", earlier);
                await _inner.WriteAsync(checkpoint, _stopping.Token).ConfigureAwait(false);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                // Recorded and rethrown by DrainAsync and the next WriteAsync; the loop keeps draining so no caller waits forever.
                Interlocked.CompareExchange(ref _failure, e, null);
                done.TrySetException(e);
            }
        }
    }
}
