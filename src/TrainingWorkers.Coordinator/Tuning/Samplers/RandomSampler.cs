using System.Text.Json.Nodes;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>Independent uniform draws (log-uniform where the parameter says so), seeded per trial.</summary>
internal sealed class RandomSampler(IReadOnlyList<SearchParameter> space, ulong seed) : ISampler
{
    public JsonObject Sample(int number, IReadOnlyList<Observation> history)
    {
        var random = Seeded.For(seed, number);
        var values = new JsonObject();
        foreach (var p in space) values[p.Name] = Draw(p, random);
        return values;
    }

    public static JsonNode Draw(SearchParameter p, Random random)
    {
        switch (p.Distribution)
        {
            case Distribution.Choice:
                return p.Choices[random.Next(p.Choices.Count)].DeepClone();
            case Distribution.Int when !p.Log:
                var grid = p.GridValues();
                return grid[random.Next(grid.Count)].DeepClone();
            default:
                var (low, high) = ParameterScale.Bounds(p);
                return ParameterScale.Decode(p, low + (random.NextDouble() * (high - low)));
        }
    }
}
