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
    /// <summary>Another node of the gang failed or its lease ran out: a failed attempt; the job resumes on a new gang.</summary>
    NodeLost,
    /// <summary>A node of the gang asked node 0 to hand the job off (its worker stops): back to the queue, not a failed attempt.</summary>
    HandOffRequested,
    /// <summary>A reserved node did not join in time: node 0 gives the gang up and the job goes back to the queue, not a failed attempt.</summary>
    GangNotFormed,
    /// <summary>On a node other than 0: the job is no longer run by this gang (node 0 settled it or lost it).</summary>
    GangEnded,
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

    /// <summary>Why the gang stopped (the gang's causes), for the job's record.</summary>
    public string? Reason { get; private set; }

    /// <summary>The failure a lost node reported, behind <see cref="StopCause.NodeLost"/>.</summary>
    public Core.Failures.JobFailure? NodeFailure { get; private set; }

    /// <summary>Stops the job for one of the gang's causes, keeping why.</summary>
    public void Stop(Gangs.GangTrouble trouble)
    {
        if (Cause != StopCause.None) return;
        (Reason, NodeFailure) = (trouble.Reason, trouble.Failure);
        Stop(trouble.Cause);
    }

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
