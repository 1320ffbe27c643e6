using System.Text.Json.Nodes;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>Every combination of the parameters' values (choices, integers on their steps), in an order shuffled by the seed (as Optuna's GridSampler).</summary>
internal sealed class GridSampler : ISampler
{
    private readonly IReadOnlyList<SearchParameter> _space;
    private readonly int[] _order;
    private readonly long _size;

    public GridSampler(IReadOnlyList<SearchParameter> space, ulong seed)
    {
        _space = space;
        _size = space.Aggregate(1L, (n, p) => n * p.GridValues().Count);
        if (_size > 1_000_000) throw new ArgumentException($"the grid has {_size} points; at most 1000000 are walked", nameof(space));
        _order = Enumerable.Range(0, (int)_size).ToArray();
        Seeded.For(seed, -1).Shuffle(_order);
    }

    public long Size => _size;

    public JsonObject Sample(int number, IReadOnlyList<Observation> history)
    {
        var point = _order[number % _order.Length];
        var values = new JsonObject();
        foreach (var p in _space)
        {
            var grid = p.GridValues();
            values[p.Name] = grid[point % grid.Count].DeepClone();
            point /= grid.Count;
        }

        return values;
    }
}
