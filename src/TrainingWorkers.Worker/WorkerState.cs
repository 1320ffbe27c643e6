using Microsoft.Extensions.Hosting;

namespace TrainingWorkers.Worker;

/// <summary>What the health endpoints report, why the worker stops, and how long its last writes may take; shared by the hosted services.</summary>
internal sealed class WorkerState(TimeProvider time, IHostApplicationLifetime lifetime)
{
    /// <summary>The exit code for configuration the worker cannot run with (queue or table missing, access denied).</summary>
    public const int FatalExitCode = 3;

    private readonly CancellationTokenSource _finalWrites = new();
    private readonly CancellationTokenSource _uploads = new();
    private long _lastBeat = time.GetUtcNow().ToUnixTimeMilliseconds();
    private int _running;
    private string? _stopReason;
    private string? _fatal;
    private int _exitCode;

    /// <summary>The start-up checks passed and the worker takes jobs.</summary>
    public bool Ready { get; set; }

    /// <summary>A graceful stop was asked for (SIGTERM, spot notice, scale-in): no new jobs, running ones are handed off.</summary>
    public bool Stopping => _stopReason is not null;

    /// <summary>Why the worker stops, recorded in each handed-off job's history.</summary>
    public string StopReason => _stopReason ?? "the worker is shutting down";

    /// <summary>Why the worker stopped for good, when it did.</summary>
    public string? FatalReason => Volatile.Read(ref _fatal);

    /// <summary>What the process exits with: 0, <see cref="FatalExitCode"/>, or 1 when the poll loop failed.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    public int RunningJobs => Volatile.Read(ref _running);

    public DateTimeOffset LastBeat => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _lastBeat));

    /// <summary>
    /// For a job's last writes (its outcome, the hand-off): cancelled when the shutdown budget is spent, so that
    /// they end before the host stops waiting. Not cancelled while the worker runs.
    /// </summary>
    public CancellationToken FinalWrites => _finalWrites.Token;

    /// <summary>For the last checkpoint's upload on the way out: ends a little before <see cref="FinalWrites"/>, which then still have time.</summary>
    public CancellationToken Uploads => _uploads.Token;

    /// <summary>The poll loop is alive: called on every turn.</summary>
    public void Beat() => Interlocked.Exchange(ref _lastBeat, time.GetUtcNow().ToUnixTimeMilliseconds());

    public void SetRunning(int jobs) => Volatile.Write(ref _running, jobs);

    /// <summary>Records the first reason given for stopping; later ones do not replace it.</summary>
    public void RequestStop(string reason) => Interlocked.CompareExchange(ref _stopReason, reason, null);

    /// <summary>Starts the shutdown budget: uploads end <paramref name="reserve"/> before it, final writes with it.</summary>
    public void BeginShutdown(TimeSpan budget, TimeSpan reserve)
    {
        _uploads.CancelAfter(budget - reserve);
        _finalWrites.CancelAfter(budget);
    }

    /// <summary>The worker cannot go on (its queue, table or bucket gone, access denied): it stops with <see cref="FatalExitCode"/>.</summary>
    /// <returns>Whether this call was the first to say so.</returns>
    public bool StopFatally(string reason)
    {
        if (Interlocked.CompareExchange(ref _fatal, reason, null) is not null) return false;
        RequestStop("the worker stops: " + reason);
        Interlocked.CompareExchange(ref _exitCode, FatalExitCode, 0);
        lifetime.StopApplication();
        return true;
    }

    /// <summary>The poll loop died of something unforeseen: the worker stops with exit code 1, so that a supervisor restarts it.</summary>
    public void StopFailed()
    {
        Interlocked.CompareExchange(ref _exitCode, 1, 0);
        lifetime.StopApplication();
    }
}
