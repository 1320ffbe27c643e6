namespace TrainingWorkers.Core.Checkpoints;

/// <summary>Applies <see cref="CheckpointRetention"/> to a store: keeps the newest K, the best and a protected one.</summary>
public static class CheckpointPruning
{
    /// <summary>Deletes the checkpoints retention lets go; returns their ids.</summary>
    public static async Task<IReadOnlyList<string>> PruneAsync(ICheckpointStore store, int keepLast, string? bestId,
        string? protectedId, CancellationToken cancellationToken)
    {
        var complete = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var doomed = CheckpointRetention.ToDelete(complete.Select(m => m.Id).ToList(), keepLast, bestId, protectedId);
        foreach (var id in doomed)
        {
            await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return doomed;
    }

    /// <summary>
    /// The id of the checkpoint with the best value of <paramref name="metric"/> (ties go to the older one),
    /// or null when none recorded it.
    /// </summary>
    public static string? BestId(IReadOnlyList<CheckpointManifest> oldestFirst, string metric, bool lowerIsBetter)
    {
        string? best = null;
        var bestValue = 0.0;
        foreach (var m in oldestFirst)
        {
            if (!m.Metrics.TryGetValue(metric, out var value) || double.IsNaN(value)) continue;
            if (best is null || (lowerIsBetter ? value < bestValue : value > bestValue))
            {
                best = m.Id;
                bestValue = value;
            }
        }

        return best;
    }
}
