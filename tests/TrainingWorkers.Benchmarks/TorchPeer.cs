using System.Globalization;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Benchmarks;

/// <summary>What torch_peer.py reported (see the script for what each mode does).</summary>
internal sealed record PeerReport(IReadOnlyList<double> EpochSeconds, long Parameters, int Threads, string TorchVersion, double Checksum, double? TestAccuracy);

/// <summary>The PyTorch side: torch_peer.py under Debian's python3, given the same spec settings and layer list.</summary>
internal static class TorchPeer
{
    /// <summary>Runs the peer; <paramref name="mode"/> is "timing" (training only) or "job" (train, evaluate, save).</summary>
    public static async Task<(PeerReport Report, ChildResult Process)> RunAsync(BenchEnvironment env, string mode, JobSpec spec, string layers, bool measureRss = false)
    {
        var t = spec.Training;
        var d = spec.Data;
        var args = new List<string>
        {
            env.PeerScript, mode, "--layers", layers, "--data", d.ResolvedTrain,
            "--epochs", Invariant(t.Epochs), "--batch-size", Invariant(t.BatchSize), "--lr", Invariant(t.LearningRate),
            "--threads", Invariant(t.Threads), "--seed", Invariant(t.Seed), "--validation-split", Invariant(d.ValidationSplit),
            d.UseTestSet ? "--test" : "--no-test",
        };
        if (d.TrainLimit is { } train) args.AddRange(["--train-limit", Invariant(train)]);
        if (d.TestLimit is { } test) args.AddRange(["--test-limit", Invariant(test)]);
        if (t.Optimizer.Type != OptimizerType.Adam || t.WeightDecay != 0 || t.L1 != 0 || t.GradClipNorm is not null)
        {
            throw new NotSupportedException($"{spec.Name}: the peer implements plain Adam only");
        }

        var process = (await ChildProcess.RunAsync(BenchEnvironment.Python, args, measureRss).ConfigureAwait(false)).EnsureSuccess("torch_peer.py");
        var json = JsonNode.Parse(process.Stdout.Trim().Split('\n')[^1])!.AsObject();
        var report = new PeerReport(
            json["epoch_seconds"]!.AsArray().Select(v => v!.GetValue<double>()).ToList(),
            json["parameters"]!.GetValue<long>(),
            json["threads"]!.GetValue<int>(),
            json["torch"]!.GetValue<string>(),
            json["checksum"]!.GetValue<double>(),
            json["test_accuracy"]?.GetValue<double>());
        return (report, process);
    }

    private static string Invariant<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
