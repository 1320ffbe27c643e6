using System.Text.Json.Nodes;

namespace TrainingWorkers.Benchmarks;

/// <summary>One `tw run --output json` of a job: the report it printed and how the process ran.</summary>
/// <param name="FirstEpochEndUtc">When the first epoch's metrics were taken (metrics.jsonl), or null if none.</param>
internal sealed record TwRunResult(JsonObject Report, ChildResult Process, DateTimeOffset? FirstEpochEndUtc)
{
    public double TestAccuracy => Report["test"]?["accuracy"]?.GetValue<double>() ?? throw new InvalidDataException("the report has no test.accuracy");
    public int EpochsRun => Report["epochs_run"]!.GetValue<int>();
    public double TrainerSeconds => Report["duration_seconds"]!.GetValue<double>();
}

/// <summary>Runs the built CLI exactly as a user would, in a scratch runs directory that is removed afterwards.</summary>
internal static class TwRun
{
    public static async Task<TwRunResult> RunAsync(BenchEnvironment env, BenchJob job, bool measureRss = false)
    {
        var scratch = Directory.CreateTempSubdirectory("tw-bench-");
        try
        {
            var spec = job.WriteTo(scratch.FullName);
            var runs = Path.Combine(scratch.FullName, "runs");
            var process = (await ChildProcess.RunAsync(env.Tw, ["run", "--output", "json", "--runs-dir", runs, spec], measureRss).ConfigureAwait(false))
                .EnsureSuccess($"tw run {job.Name}");
            var report = JsonNode.Parse(process.Stdout)?.AsObject() ?? throw new InvalidDataException("tw run printed no JSON report");
            return new TwRunResult(report, process, FirstEpochEnd(report["artifacts"]?["metrics"]?.GetValue<string>()));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static DateTimeOffset? FirstEpochEnd(string? metricsFile)
    {
        if (metricsFile is null || !File.Exists(metricsFile)) return null;
        var first = File.ReadLines(metricsFile).Select(l => JsonNode.Parse(l)).FirstOrDefault(p => p?["epoch"]?.GetValue<int?>() == 1);
        return first?["time"]?.GetValue<DateTimeOffset>();
    }
}
