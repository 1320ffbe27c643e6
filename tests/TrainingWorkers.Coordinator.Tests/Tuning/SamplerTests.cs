using System.Text.Json.Nodes;
using TrainingWorkers.Coordinator.Tuning.Samplers;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Coordinator.Tests.Tuning;

public sealed class SamplerTests
{
    private static readonly SearchParameter Rate = Parameter("training.learning_rate", Distribution.LogUniform, 1e-5, 1);
    private static readonly SearchParameter Width = Parameter("model.hidden[0]", Distribution.Int, 16, 256, step: 16);
    private static readonly SearchParameter Optimizer = new()
    {
        Path = SpecPathHolder.Of("training.optimizer"), Distribution = Distribution.Choice, Choices = [JsonValue.Create("sgd"), JsonValue.Create("adam"), JsonValue.Create("rmsprop")],
    };

    [Fact]
    public void Random_SameSeedAndTrial_SameDraws_WithinBoundsOnSteps()
    {
        var sampler = new RandomSampler([Rate, Width, Optimizer], seed: 4);
        for (var n = 0; n < 200; n++)
        {
            var a = sampler.Sample(n, []);
            Assert.True(JsonNode.DeepEquals(a, new RandomSampler([Rate, Width, Optimizer], seed: 4).Sample(n, [])));
            Assert.InRange(a[Rate.Name]!.GetValue<double>(), 1e-5, 1);
            Assert.Equal(0, (a[Width.Name]!.GetValue<long>() - 16) % 16);
            Assert.InRange(a[Width.Name]!.GetValue<long>(), 16, 256);
            Assert.Contains(a[Optimizer.Name]!.GetValue<string>(), new[] { "sgd", "adam", "rmsprop" });
        }

        // Log-uniform: about as many draws below 10^-2.5 as above it.
        var low = Enumerable.Range(0, 2000).Count(n => sampler.Sample(n, [])[Rate.Name]!.GetValue<double>() < Math.Pow(10, -2.5));
        Assert.InRange(low, 850, 1150);
    }

    [Fact]
    public void Grid_EveryCombinationOnceInSizeTrials()
    {
        var width = Parameter("model.hidden[0]", Distribution.Int, 32, 96, step: 32);
        var grid = new GridSampler([width, Optimizer], seed: 2);
        var seen = Enumerable.Range(0, (int)grid.Size).Select(n => grid.Sample(n, [])).Select(v => v.ToJsonString()).ToHashSet();
        Assert.Equal(9, seen.Count);
    }

    [Fact]
    public void Tpe_OnAPeakedObjective_FindsBetterValuesThanRandomForTheSameBudget()
    {
        // Maximize a bump at lr = 10^-2.5 and width 128 (plus the optimizer), 30 trials, 10 seeds.
        static double Objective(JsonObject v) => Math.Exp(-Math.Pow(Math.Log10(v[Rate.Name]!.GetValue<double>()) + 2.5, 2))
            * Math.Exp(-Math.Pow((v[Width.Name]!.GetValue<long>() - 128) / 64.0, 2)) * (v[Optimizer.Name]!.GetValue<string>() == "adam" ? 1 : 0.8);
        double Best(Func<ulong, ISampler> make, ulong seed)
        {
            var sampler = make(seed);
            var history = new List<Observation>();
            for (var n = 0; n < 30; n++)
            {
                var v = sampler.Sample(n, history);
                history.Add(new Observation(v, Objective(v), true, 5));
            }

            return history.Max(o => o.Value);
        }

        var seeds = Enumerable.Range(1, 10).Select(i => (ulong)i).ToList();
        var random = seeds.Select(seed => Best(s => new RandomSampler([Rate, Width, Optimizer], s), seed)).Average();
        var tpe = seeds.Select(seed => Best(s => new TpeSampler([Rate, Width, Optimizer], s, startupTrials: 10, candidates: 24, higherIsBetter: true), seed)).Average();
        Assert.True(tpe > random, $"TPE's mean best {tpe:F4} is not above random's {random:F4}");
    }

    [Fact]
    public void ParzenEstimator_NumericDensityIntegratesToOne_CategoricalProbabilitiesSumToOne()
    {
        var numeric = ParzenEstimator.Numeric([0.1, 0.15, 0.8], 0, 1);
        var integral = Enumerable.Range(0, 10_000).Sum(i => Math.Exp(numeric.LogPdf((i + 0.5) / 10_000))) / 10_000;
        Assert.InRange(integral, 0.995, 1.005);
        var categorical = ParzenEstimator.Categorical([0, 0, 2], 3);
        Assert.Equal(1.0, Enumerable.Range(0, 3).Sum(c => Math.Exp(categorical.LogPdf(c))), 9);
        Assert.True(categorical.LogPdf(0) > categorical.LogPdf(1));
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(-1.0, 1.8427007929497148)]
    [InlineData(3.0, 2.209049699858544e-05)]
    public void Erfc_MatchesReferenceValues(double x, double expected) => Assert.Equal(expected, Gaussian.Erfc(x), expected * 2e-7 + 1e-12);

    private static SearchParameter Parameter(string name, Distribution distribution, double low, double high, int step = 1) =>
        new() { Path = SpecPathHolder.Of(name), Distribution = distribution, Low = low, High = high, Step = step };
}

/// <summary>Parses spec paths for the tests.</summary>
internal static class SpecPathHolder
{
    public static SpecPath Of(string text) => SpecPath.TryParse(text, out var path, out var error) ? path! : throw new ArgumentException(error);
}
