using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingWorkers.Coordinator.Benchmarks;
using TrainingWorkers.Core.Studies.Requests;

// make tune-bench: the coordinator's tuner and Optuna's over the same search space, trial budget and `tw run` jobs,
// several seeds, on this machine's CPU. Options: --seeds N (5) --trials N (24) --parallel N (2) --out DIR (build/tune-bench)
// --tuners a,b (all of: ours-random, ours-tpe-median, ours-tpe-asha, optuna-tpe-median, optuna-tpe-sha).
// --report FILE: only the summary again, from a run's tune-bench.json.
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length ? args[x.i + 1] : "", StringComparer.Ordinal);
int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
if (options.TryGetValue("report", out var saved))
{
    Report.Write(Console.Out, JsonSerializer.Deserialize<List<TunerRun>>(await File.ReadAllTextAsync(saved))!, options.ContainsKey("parallel") ? Int("parallel", 0) : null);
    return;
}

var seeds = Int("seeds", 5);
var trials = Int("trials", 24);
var parallel = Int("parallel", 2);
var output = Path.GetFullPath(options.GetValueOrDefault("out") ?? "build/tune-bench");
var tuners = (options.GetValueOrDefault("tuners") ?? "ours-random,ours-tpe-median,ours-tpe-asha,optuna-tpe-median,optuna-tpe-sha").Split(',');
var tw = Path.Combine(AppContext.BaseDirectory, "tw.dll");
var baseRequest = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bench-sweep.json")))!.AsObject();
baseRequest["trials"] = trials;
baseRequest["parallel"] = parallel;

JsonObject RequestFor(string tuner, ulong seed)
{
    var request = (JsonObject)baseRequest.DeepClone();
    request["search"]!["seed"] = seed;
    request["search"]!["method"] = tuner.Contains("random", StringComparison.Ordinal) ? "random" : "tpe";
    if (tuner.Contains("random", StringComparison.Ordinal)) request["search"] = new JsonObject { ["method"] = "random", ["seed"] = seed };
    request["stopping"] = tuner.EndsWith("median", StringComparison.Ordinal) ? baseRequest["stopping"]!.DeepClone()
        : tuner.EndsWith("asha", StringComparison.Ordinal) || tuner.EndsWith("sha", StringComparison.Ordinal)
            ? new JsonObject { ["rule"] = "asha", ["min_epochs"] = 1, ["reduction_factor"] = 3 }
            : new JsonObject { ["rule"] = "none" };
    return request;
}

Directory.CreateDirectory(output);
Console.WriteLine($"tune-bench: {trials} trials, {parallel} at a time, seeds 1..{seeds}, tuners {string.Join(", ", tuners)}; runs in {output}");
var runs = new List<TunerRun>();
for (var seed = 1UL; seed <= (ulong)seeds; seed++)
{
    // Tuners interleaved within a seed, so a change in the machine's load falls on all of them alike.
    foreach (var tuner in tuners)
    {
        var request = RequestFor(tuner, seed);
        var run = tuner.StartsWith("optuna", StringComparison.Ordinal)
            ? await OptunaPeer.RunAsync(tuner, request, tuner.EndsWith("median", StringComparison.Ordinal) ? "median" : "sha", tw, output, seed)
            : await new LocalSweep((TuneRequest)StudyRequestParser.Parse(request.ToJsonString()), tw, output).RunAsync(tuner, seed);
        runs.Add(run);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  seed {seed} {tuner,-18} best {run.Best:F4}  {run.CpuMinutes:F2} CPU-min  {run.WallSeconds:F0} s  {run.Stopped} stopped of {run.Trials.Count}"));
    }
}

await File.WriteAllTextAsync(Path.Combine(output, "tune-bench.json"), JsonSerializer.Serialize(runs, new JsonSerializerOptions { WriteIndented = true }));
Report.Write(Console.Out, runs, parallel);
