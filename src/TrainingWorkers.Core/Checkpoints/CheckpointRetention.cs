namespace TrainingWorkers.Core.Checkpoints;

/// <summary>Which checkpoints to delete: all but the newest <c>keepLast</c>, the best, and a protected one.</summary>
public static class CheckpointRetention
{
    /// <param name="oldestFirst">The ids of complete checkpoints, oldest first.</param>
    /// <param name="keepLast">How many of the newest to keep (at least 1).</param>
    /// <param name="bestId">The best checkpoint's id, kept whatever its age.</param>
    /// <param name="protectedId">A checkpoint that must survive, such as the one a job resumed from.</param>
    public static IReadOnlyList<string> ToDelete(IReadOnlyList<string> oldestFirst, int keepLast, string? bestId, string? protectedId = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        var keep = new HashSet<string>(oldestFirst.Skip(Math.Max(0, oldestFirst.Count - keepLast)), StringComparer.Ordinal);
        if (bestId is not null) keep.Add(bestId);
        if (protectedId is not null) keep.Add(protectedId);
        return oldestFirst.Where(id => !keep.Contains(id)).ToList();
    }
}
