using Microsoft.Extensions.Hosting;
using TrainingWorkers.Hosting;

namespace TrainingWorkers.Worker;

/// <summary>What the health endpoints report, why the worker stops, and how long its last writes may take; shared by the hosted services.</summary>
internal sealed class WorkerState(TimeProvider time, IHostApplicationLifetime lifetime) : HostState(time, lifetime)
{
    private readonly CancellationTokenSource _finalWrites = new();
    private readonly CancellationTokenSource _uploads = new();
    private int _running;
    private string? _stopReason;

    /// <summary>A graceful stop was asked for (SIGTERM, spot notice, scale-in): no new jobs, running ones are handed off.</summary>
    public override bool Stopping => _stopReason is not null;

    /// <summary>Why the worker stops, recorded in each handed-off job's history.</summary>
    public string StopReason => _stopReason ?? "the worker is shutting down";

    public int RunningJobs => Volatile.Read(ref _running);

    /// <summary>
    /// For a job's last writes (its outcome, the hand-off): cancelled when the shutdown budget is spent, so that
    /// they end before the host stops waiting. Not cancelled while the worker runs.
    /// </summary>
    public CancellationToken FinalWrites => _finalWrites.Token;

    /// <summary>For the last checkpoint's upload on the way out: ends a little before <see cref="FinalWrites"/>, which then still have time.</summary>
    public CancellationToken Uploads => _uploads.Token;

    /// <summary>The poll loop beats at least every 25 s.</summary>
    protected override TimeSpan LiveWindow => TimeSpan.FromSeconds(60);

    public override object Status(bool live) => new
    {
        live, ready = IsReady, stopping = Stopping, running_jobs = RunningJobs, last_poll = LastBeat,
    };

    public void SetRunning(int jobs) => Volatile.Write(ref _running, jobs);

    /// <summary>Records the first reason given for stopping; later ones do not replace it.</summary>
    public void RequestStop(string reason) => Interlocked.CompareExchange(ref _stopReason, reason, null);

    /// <summary>Starts the shutdown budget: uploads end <paramref name="reserve"/> before it, final writes with it.</summary>
    public void BeginShutdown(TimeSpan budget, TimeSpan reserve)
    {
        _uploads.CancelAfter(budget - reserve);
        _finalWrites.CancelAfter(budget);
    }

    /// <summary>Its queue, table or bucket gone, access denied: the jobs it holds are handed off with the reason.</summary>
    protected override void OnStoppingFatally(string reason) => RequestStop("the worker stops: " + reason);
}
