namespace TrainingWorkers.Core.Checkpoints;

/// <summary>Finding the checkpoint to resume from.</summary>
public static class NewestCheckpoint
{
    /// <summary>
    /// Reads the newest checkpoint that verifies. A torn or corrupt one is skipped (reported to
    /// <paramref name="skipped"/>) and the one before it is tried; null when none is good.
    /// </summary>
    public static async Task<Checkpoint?> ReadNewestGoodAsync(this ICheckpointStore store, Action<CorruptCheckpointException> skipped, CancellationToken cancellationToken)
    {
        var manifests = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        for (var i = manifests.Count - 1; i >= 0; i--)
        {
            try
            {
                return await store.ReadAsync(manifests[i].Id, cancellationToken).ConfigureAwait(false);
            }
            catch (CorruptCheckpointException e)
            {
                skipped(e);
            }
        }

        return null;
    }
}
