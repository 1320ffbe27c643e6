namespace TrainingWorkers.Core.Checkpoints;

/// <summary>
/// Where one job's checkpoints live: a local directory in <c>tw run</c>, an S3 prefix on a worker.
/// Writes put every payload file first and the manifest last, so readers never see a torn checkpoint.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>A description of the location for people, e.g. a path or an <c>s3://</c> URI.</summary>
    string Location { get; }

    /// <summary>Writes the payload files, then the manifest.</summary>
    Task WriteAsync(Checkpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>The manifests of the complete checkpoints, oldest first. Torn ones are left out.</summary>
    Task<IReadOnlyList<CheckpointManifest>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Reads a checkpoint and verifies it; throws <see cref="CorruptCheckpointException"/> if it does not verify.</summary>
    Task<Checkpoint> ReadAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes a checkpoint: its manifest first, so a half-deleted one is never listed.</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);
}
