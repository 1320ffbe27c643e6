namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>A clock the test moves by hand: leases and registrations go stale without waiting.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
