namespace TrainingWorkers.Aws.Tests;

/// <summary>A clock the test moves by hand, so lease expiry needs no waiting.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
