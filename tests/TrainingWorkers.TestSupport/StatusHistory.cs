namespace TrainingWorkers.Testing;

/// <summary>The status changes of an in-memory store's items (jobs, studies), oldest first, by item id. Not thread-safe: the store's lock guards it.</summary>
internal sealed class StatusHistory<TChange>
{
    private readonly Dictionary<string, List<TChange>> _changes = new(StringComparer.Ordinal);

    public void Add(string id, TChange change)
    {
        if (!_changes.TryGetValue(id, out var list)) _changes[id] = list = [];
        list.Add(change);
    }

    /// <summary>A copy of the item's changes; empty for an item never recorded.</summary>
    public IReadOnlyList<TChange> Of(string id) => (_changes.GetValueOrDefault(id) ?? []).ToList();
}
