using System.Globalization;

namespace TrainingWorkers.Benchmarks;

/// <summary>
/// Trains the example specs unchanged with the built `tw run --output json` and checks the report's
/// test accuracy (the 10,000 Fashion-MNIST test images) against the targets.
/// </summary>
internal static class AccuracyBenchmark
{
    private static readonly (string Example, double Target)[] Targets = [("fashion-mlp.json", 0.88), ("fashion-cnn.json", 0.91)];

    public static async Task<int> RunAsync(BenchEnvironment env)
    {
        var table = new TextTable("spec", "test accuracy", "target", "epochs run (max 15)", "stopped", "best epoch", "wall time", "result");
        var verdicts = new Verdicts();
        foreach (var (example, target) in Targets)
        {
            Console.Error.WriteLine($"[accuracy] tw run --output json examples/{example} ...");
            var run = await TwRun.RunAsync(env, BenchJob.FromExample(env.Example(example))).ConfigureAwait(false);
            var accuracy = run.TestAccuracy;
            var met = accuracy >= target;
            verdicts.Target(met);
            verdicts.Check(run.EpochsRun <= 15, $"{example}: ran {run.EpochsRun} epochs, the target allows 15");
            table.Add($"examples/{example}", F(accuracy, "F4"), ">= " + F(target, "F2"), run.EpochsRun.ToString(CultureInfo.InvariantCulture),
                run.Report["stop_reason"]?.GetValue<string>() ?? "?", run.Report["best_epoch"]?.ToString() ?? "?",
                F(run.Process.WallSeconds, "F1") + " s", met ? "met" : "NOT MET");
            Console.Error.WriteLine($"[accuracy] {example}: test accuracy {accuracy:F4} after {run.EpochsRun} epochs, {run.Process.WallSeconds:F0} s");
        }

        Console.WriteLine("Test accuracy of the example specs (`tw run --output json <spec>`, report field test.accuracy):");
        Console.WriteLine(table);
        return verdicts.Finish();
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
