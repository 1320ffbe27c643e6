using Microsoft.Extensions.Hosting;

namespace TrainingWorkers.Hosting;

/// <summary>
/// What a host's health endpoints report and how its process exits, shared by its hosted services: the main loop beats,
/// says when it is ready, and stops the host fatally (exit code 3) or after an unforeseen failure (exit code 1).
/// </summary>
public abstract class HostState(TimeProvider time, IHostApplicationLifetime lifetime) : IHealthReport
{
    /// <summary>The exit code for an error no retry fixes (the queue, table or bucket gone, access denied).</summary>
    public const int FatalExitCode = 3;

    private long _lastBeat = time.GetUtcNow().ToUnixTimeMilliseconds();
    private string? _fatal;
    private int _exitCode;

    /// <summary>The start-up checks passed and the main loop takes work.</summary>
    public bool Ready { get; set; }

    /// <summary>A stop has begun: no new work is taken.</summary>
    public abstract bool Stopping { get; }

    /// <summary>Why the host stopped for good, when it did.</summary>
    public string? FatalReason => Volatile.Read(ref _fatal);

    /// <summary>What the process exits with: 0, <see cref="FatalExitCode"/>, or 1 when the main loop failed.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>When the main loop last turned.</summary>
    public DateTimeOffset LastBeat => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _lastBeat));

    public bool IsLive => time.GetUtcNow() - LastBeat < LiveWindow;

    public bool IsReady => Ready && !Stopping;

    /// <summary>How long after the last beat the host still counts as live.</summary>
    protected abstract TimeSpan LiveWindow { get; }

    public abstract object Status(bool live);

    /// <summary>The main loop is alive: called on every turn.</summary>
    public void Beat() => Interlocked.Exchange(ref _lastBeat, time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>The host cannot go on: it stops with <see cref="FatalExitCode"/>.</summary>
    /// <returns>Whether this call was the first to say so.</returns>
    public bool StopFatally(string reason)
    {
        if (Interlocked.CompareExchange(ref _fatal, reason, null) is not null) return false;
        OnStoppingFatally(reason);
        Interlocked.CompareExchange(ref _exitCode, FatalExitCode, 0);
        lifetime.StopApplication();
        return true;
    }

    /// <summary>The main loop died of something unforeseen: exit code 1, so that a supervisor restarts the host.</summary>
    public void StopFailed()
    {
        Interlocked.CompareExchange(ref _exitCode, 1, 0);
        lifetime.StopApplication();
    }

    /// <summary>Called once, by the first <see cref="StopFatally"/>, before the host is asked to stop.</summary>
    protected virtual void OnStoppingFatally(string reason)
    {
    }
}
