namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>
/// A fixed-size ring of points, oldest first. Adding to a full ring overwrites the oldest point; a batch
/// that failed to send goes back to the front, losing its oldest points if the ring has since filled.
/// Not thread-safe: the owner locks.
/// </summary>
internal sealed class MetricBuffer<T>
{
    private readonly T[] _items;
    private int _head;

    public MetricBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T[capacity];
    }

    public int Count { get; private set; }

    /// <summary>Appends an item; returns 1 if the oldest was dropped to make room, else 0.</summary>
    public int Add(T item)
    {
        if (Count == _items.Length)
        {
            _items[_head] = item;
            _head = (_head + 1) % _items.Length;
            return 1;
        }

        _items[(_head + Count) % _items.Length] = item;
        Count++;
        return 0;
    }

    /// <summary>Removes up to <paramref name="max"/> of the oldest items into <paramref name="into"/>.</summary>
    public void Take(List<T> into, int max)
    {
        var n = Math.Min(max, Count);
        for (var i = 0; i < n; i++)
        {
            into.Add(_items[_head]);
            _items[_head] = default!;
            _head = (_head + 1) % _items.Length;
        }

        Count -= n;
    }

    /// <summary>Puts items (older than all held ones) back at the front; returns how many did not fit and were dropped.</summary>
    public int ReturnToFront(IReadOnlyList<T> items)
    {
        var fit = Math.Min(items.Count, _items.Length - Count);
        for (var i = items.Count - 1; i >= items.Count - fit; i--)
        {
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = items[i];
        }

        Count += fit;
        return items.Count - fit;
    }
}
