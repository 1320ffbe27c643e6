namespace TrainingWorkers.Worker;

/// <summary>What the health endpoints report and why the worker stops; shared by the hosted services.</summary>
internal sealed class WorkerState(TimeProvider time)
{
    private long _lastBeat = time.GetUtcNow().ToUnixTimeMilliseconds();
    private int _running;
    private string? _stopReason;

    /// <summary>The start-up checks passed and the worker takes jobs.</summary>
    public bool Ready { get; set; }

    /// <summary>A graceful stop was asked for (SIGTERM, spot notice, scale-in): no new jobs, running ones are handed off.</summary>
    public bool Stopping => _stopReason is not null;

    /// <summary>Why the worker stops, recorded in each handed-off job's history.</summary>
    public string StopReason => _stopReason ?? "the worker is shutting down";

    public int RunningJobs => Volatile.Read(ref _running);

    public DateTimeOffset LastBeat => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _lastBeat));

    /// <summary>The poll loop is alive: called on every turn.</summary>
    public void Beat() => Interlocked.Exchange(ref _lastBeat, time.GetUtcNow().ToUnixTimeMilliseconds());

    public void SetRunning(int jobs) => Volatile.Write(ref _running, jobs);

    /// <summary>Records the first reason given for stopping; later ones do not replace it.</summary>
    public void RequestStop(string reason) => Interlocked.CompareExchange(ref _stopReason, reason, null);
}
