namespace TrainingWorkers.Worker;

/// <summary>Why a running job was told to stop before it finished.</summary>
internal enum StopCause
{
    None,
    /// <summary>A user ran <c>tw cancel</c>: the job ends Cancelled.</summary>
    CancelRequested,
    /// <summary>The worker stops (SIGTERM, spot notice, scale-in): the job is handed to another worker.</summary>
    Shutdown,
    /// <summary>The spec's <c>training.max_runtime_seconds</c> passed: the job ends Failed.</summary>
    MaxRuntime,
    /// <summary>Another worker claimed the job: this one writes nothing more.</summary>
    LeaseLost,
    /// <summary>An AWS call that no retry can fix (access denied, the table gone): the job is given back and the worker stops.</summary>
    Fatal,
}

/// <summary>Stops one job's ranks, remembering the first cause.</summary>
internal sealed class JobStop : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly CancellationTokenRegistration _onShutdown;
    private Timer? _timer;
    private int _cause;

    public JobStop(CancellationToken shutdown)
    {
        _cts = new CancellationTokenSource();
        _onShutdown = shutdown.Register(() => Stop(StopCause.Shutdown));
    }

    public CancellationToken Token => _cts.Token;

    public StopCause Cause => (StopCause)Volatile.Read(ref _cause);

    /// <summary>The error behind <see cref="StopCause.Fatal"/>.</summary>
    public Exception? FatalError { get; private set; }

    public void Stop(StopCause cause)
    {
        if (Interlocked.CompareExchange(ref _cause, (int)cause, (int)StopCause.None) != (int)StopCause.None) return;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The job ended while the runtime timer fired.
        }
    }

    public void StopFatally(Exception error)
    {
        FatalError ??= error;
        Stop(StopCause.Fatal);
    }

    public void StopAfter(TimeSpan delay, StopCause cause) => _timer = new Timer(_ => Stop(cause), null, delay, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _timer?.Dispose();
        _onShutdown.Dispose();
        _cts.Dispose();
    }
}
