namespace TrainingWorkers.Engine.Data;

/// <summary>
/// What the input pipeline did, counted from every loader thread: images decoded (and the CPU time it took),
/// images left out as bad, and how long the training step waited for its batch.
/// </summary>
public sealed class InputCounters
{
    private long _decoded;
    private long _decodeTicks;
    private long _skipped;
    private long _waitTicks;

    public long ImagesDecoded => Interlocked.Read(ref _decoded);
    public TimeSpan DecodeTime => TimeSpan.FromTicks(Interlocked.Read(ref _decodeTicks));
    public long ImagesSkipped => Interlocked.Read(ref _skipped);
    /// <summary>Time the training thread spent waiting for a batch (0 when the loader keeps ahead).</summary>
    public TimeSpan WaitTime => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    public void Decoded(TimeSpan took)
    {
        Interlocked.Increment(ref _decoded);
        Interlocked.Add(ref _decodeTicks, took.Ticks);
    }

    public void Skipped(long count = 1) => Interlocked.Add(ref _skipped, count);

    public void Waited(TimeSpan took) => Interlocked.Add(ref _waitTicks, took.Ticks);

    /// <summary>The counts now, to subtract a later snapshot from.</summary>
    public (long Decoded, TimeSpan Wait) Snapshot() => (ImagesDecoded, WaitTime);
}
