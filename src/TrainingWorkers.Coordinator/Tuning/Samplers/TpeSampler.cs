using System.Text.Json.Nodes;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>
/// The tree-structured Parzen estimator (Bergstra et al., NeurIPS 2011), parameter by parameter as Optuna 3.1's default
/// TPESampler: random for the first trials; then the finished trials are split into the best γ(n) = min(⌈0.1 n⌉, 25) and
/// the rest, a density is fitted to each side, and of the candidates drawn from the good side's density the one with the
/// highest ratio good/bad is taken. Stopped trials rank after the completed ones (later-stopped first), as in Optuna.
/// </summary>
internal sealed class TpeSampler(IReadOnlyList<SearchParameter> space, ulong seed, int startupTrials, int candidates, bool higherIsBetter) : ISampler
{
    private readonly RandomSampler _startup = new(space, seed);

    public JsonObject Sample(int number, IReadOnlyList<Observation> history)
    {
        var usable = history.Where(o => !double.IsNaN(o.Value) && ParameterScale.Fits(space, o.Params)).ToList();
        if (usable.Count < Math.Max(1, startupTrials)) return _startup.Sample(number, history);
        var sign = higherIsBetter ? -1.0 : 1.0;
        var ranked = Enumerable.Range(0, usable.Count)
            .OrderBy(i => usable[i].Completed ? double.NegativeInfinity : -usable[i].LastEpoch)
            .ThenBy(i => sign * usable[i].Value)
            .ToList();
        var below = Math.Min((int)Math.Ceiling(0.1 * usable.Count), 25);
        var good = ranked.Take(below).Order().Select(i => usable[i].Params).ToList();
        var bad = ranked.Skip(below).Order().Select(i => usable[i].Params).ToList();
        var random = Seeded.For(seed, number, purpose: 1);
        var values = new JsonObject();
        foreach (var p in space) values[p.Name] = Choose(p, good, bad, random);
        return values;
    }

    private JsonNode Choose(SearchParameter p, List<JsonObject> good, List<JsonObject> bad, Random random)
    {
        ParzenEstimator l, g;
        if (p.Distribution == Distribution.Choice)
        {
            l = ParzenEstimator.Categorical(good.Select(v => ParameterScale.ChoiceIndex(p, v[p.Name])).ToList(), p.Choices.Count);
            g = ParzenEstimator.Categorical(bad.Select(v => ParameterScale.ChoiceIndex(p, v[p.Name])).ToList(), p.Choices.Count);
        }
        else
        {
            var (low, high) = ParameterScale.Bounds(p);
            l = ParzenEstimator.Numeric(good.Select(v => ParameterScale.Encode(p, v[p.Name])!.Value).ToList(), low, high);
            g = ParzenEstimator.Numeric(bad.Select(v => ParameterScale.Encode(p, v[p.Name])!.Value).ToList(), low, high);
        }

        var best = double.NaN;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < candidates; i++)
        {
            var x = l.Sample(random);
            var score = l.LogPdf(x) - g.LogPdf(x);
            if (score > bestScore) (best, bestScore) = (x, score);
        }

        return p.Distribution == Distribution.Choice ? p.Choices[(int)best].DeepClone() : ParameterScale.Decode(p, best);
    }
}
