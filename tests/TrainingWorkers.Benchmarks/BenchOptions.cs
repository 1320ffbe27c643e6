using System.Globalization;

namespace TrainingWorkers.Benchmarks;

/// <summary>The benchmark's settings; the defaults keep `make bench` near 10 minutes on a 2-core machine.</summary>
internal sealed record BenchOptions
{
    /// <summary>Timed epochs per run and side.</summary>
    public int Epochs { get; init; } = 3;
    /// <summary>Alternating runs per side; the ratio's min/median/max is over these.</summary>
    public int Runs { get; init; } = 3;
    /// <summary>Intra-op threads on both sides (this machine's 2 cores).</summary>
    public int Threads { get; init; } = 2;
    /// <summary>Training examples for the MLP (null: the whole 54,000 after the validation split).</summary>
    public int? MlpTrainLimit { get; init; }
    /// <summary>The CNN's epoch on all 54,000 is minutes on 2 cores: a fixed subset (first N, before the split).</summary>
    public int? CnnTrainLimit { get; init; } = 6_000;
    /// <summary>Which example models to measure: "mlp", "cnn" (default both), to look into one quickly.</summary>
    public IReadOnlyList<string> Models { get; init; } = ["mlp", "cnn"];

    public bool Measures(string model) => Models.Contains(model, StringComparer.Ordinal);

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count) throw new ArgumentException($"{args[i]} needs a value");
            int? Value() => args[i + 1] == "all" ? null : int.Parse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--epochs" => options with { Epochs = Value() ?? 1 },
                "--runs" => options with { Runs = Value() ?? 1 },
                "--threads" => options with { Threads = Value() ?? Environment.ProcessorCount },
                "--mlp-train-limit" => options with { MlpTrainLimit = Value() },
                "--cnn-train-limit" => options with { CnnTrainLimit = Value() },
                "--models" => options with { Models = ParseModels(args[i + 1]) },
                _ => throw new ArgumentException($"unknown option {args[i]} (--epochs N, --runs N, --threads N, --mlp-train-limit N|all, --cnn-train-limit N|all, --models mlp,cnn)"),
            };
        }

        return options;
    }

    private static string[] ParseModels(string value)
    {
        var models = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = models.Where(m => m is not ("mlp" or "cnn")).ToList();
        if (models.Length == 0 || unknown.Count > 0) throw new ArgumentException($"--models takes mlp, cnn or mlp,cnn, got '{value}'");
        return models;
    }
}
