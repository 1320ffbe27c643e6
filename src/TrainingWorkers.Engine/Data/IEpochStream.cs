namespace TrainingWorkers.Engine.Data;

/// <summary>
/// A reader whose items are positions in an epoch's stream rather than fixed examples (a webdataset): the trainer
/// starts each epoch (or resumes it mid-way), reads positions 0, 1, ... in batches, and the stream decides which
/// sample each position is (shard order, this rank's shards, the shuffle buffer), the same way on every run.
/// </summary>
public interface IEpochStream
{
    /// <summary>Starts epoch <paramref name="epoch"/> for one rank at <paramref name="fromPosition"/>; returns its steps (the same on every rank) and this rank's positions.</summary>
    (int Steps, int Positions) Start(int epoch, int fromPosition, int batchSize, int rank, int worldSize);

    /// <summary>Ends the epoch's stream (its producer thread) early; the next <see cref="Start"/> begins anew.</summary>
    void Stop();

    /// <summary>The data's fingerprint: a checkpoint's position holds only for the same shards.</summary>
    string Fingerprint { get; }
}
