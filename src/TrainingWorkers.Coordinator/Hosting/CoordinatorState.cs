using Microsoft.Extensions.Hosting;

namespace TrainingWorkers.Coordinator.Hosting;

/// <summary>What the health endpoints report and how the process exits; shared by the hosted services.</summary>
internal sealed class CoordinatorState(TimeProvider time, IHostApplicationLifetime lifetime)
{
    /// <summary>The exit code for an AWS error no retry fixes (the table or queue gone, access denied).</summary>
    public const int FatalExitCode = 3;

    private long _lastBeat = time.GetUtcNow().ToUnixTimeMilliseconds();
    private int _held;
    private int _exitCode;
    private string? _fatal;

    /// <summary>The start-up checks passed and the loop takes studies.</summary>
    public bool Ready { get; set; }

    public bool Stopping { get; set; }

    public int HeldStudies => Volatile.Read(ref _held);

    public DateTimeOffset LastBeat => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _lastBeat));

    public int ExitCode => Volatile.Read(ref _exitCode);

    public string? FatalReason => Volatile.Read(ref _fatal);

    public void Beat() => Interlocked.Exchange(ref _lastBeat, time.GetUtcNow().ToUnixTimeMilliseconds());

    public void SetHeld(int studies) => Volatile.Write(ref _held, studies);

    /// <summary>The coordinator cannot go on: it stops with <see cref="FatalExitCode"/>. Returns whether this call was the first to say so.</summary>
    public bool StopFatally(string reason)
    {
        if (Interlocked.CompareExchange(ref _fatal, reason, null) is not null) return false;
        Interlocked.CompareExchange(ref _exitCode, FatalExitCode, 0);
        lifetime.StopApplication();
        return true;
    }

    /// <summary>The loop died of something unforeseen: exit code 1, so that a supervisor restarts it.</summary>
    public void StopFailed()
    {
        Interlocked.CompareExchange(ref _exitCode, 1, 0);
        lifetime.StopApplication();
    }
}
