namespace TrainingWorkers.Aws.S3;

/// <summary>
/// An exclusive lock on a cache entry shared by every process of the instance (all ranks): an open file
/// with <see cref="FileShare.None"/>, which .NET maps to an advisory <c>flock</c> on Linux, released when
/// the process dies. Inside one process a semaphore per key queues callers without touching the disk.
/// </summary>
internal sealed class CacheLock : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly Dictionary<string, SemaphoreSlim> InProcess = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate;
    private readonly FileStream _file;

    private CacheLock(SemaphoreSlim gate, FileStream file)
    {
        _gate = gate;
        _file = file;
    }

    /// <summary>Waits (up to <paramref name="timeout"/>) until this process and no other holds the lock at <paramref name="path"/>.</summary>
    public static async Task<CacheLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        SemaphoreSlim gate;
        lock (InProcess)
        {
            if (!InProcess.TryGetValue(path, out gate!)) InProcess[path] = gate = new SemaphoreSlim(1, 1);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await gate.WaitAsync(deadline.Token).ConfigureAwait(false);
        try
        {
            while (true)
            {
                try
                {
                    return new CacheLock(gate, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException) when (!deadline.IsCancellationRequested)
                {
                    // Another rank is downloading this entry; its lock goes when it finishes or dies.
                    await Task.Delay(RetryDelay, deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        _gate.Release();
    }
}
