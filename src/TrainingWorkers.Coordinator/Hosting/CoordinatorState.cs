using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TrainingWorkers.Hosting;

namespace TrainingWorkers.Coordinator.Hosting;

/// <summary>What the health endpoints report and how the process exits; shared by the hosted services.</summary>
internal sealed class CoordinatorState(TimeProvider time, IHostApplicationLifetime lifetime, IOptions<CoordinatorOptions> options) : HostState(time, lifetime)
{
    private int _held;
    private volatile bool _stopping;

    public override bool Stopping => _stopping;

    public int HeldStudies => Volatile.Read(ref _held);

    // A step is short, but a loop that missed two lease periods no longer renews its leases.
    protected override TimeSpan LiveWindow => options.Value.LeaseDuration * 2 + TimeSpan.FromSeconds(30);

    public override object Status(bool live) => new { live, ready = IsReady, stopping = Stopping, held_studies = HeldStudies, last_step = LastBeat };

    public void SetHeld(int studies) => Volatile.Write(ref _held, studies);

    /// <summary>The loop has ended: no longer ready, its studies about to be released.</summary>
    public void BeginStopping()
    {
        _stopping = true;
        Ready = false;
    }
}
