using System.Globalization;
using TrainingWorkers.Aws.Benchmarks;
using TrainingWorkers.Testing;

// Numbers for issue 5: checkpoint transfer throughput against `aws s3 cp` of the same file, and the
// metrics publisher's cost inside a training step. Usage:
//   dotnet run -c Release --project tests/TrainingWorkers.Aws.Benchmarks -- [--mb 200] [--rounds 3] [--steps 5000] [--part-mb 8] [--parallel 8]
//     [--upload-only] [--endpoint URL]
var mb = Arg("--mb", 200);
var rounds = Arg("--rounds", 3);
var steps = Arg("--steps", 5000);
var partMb = Arg("--part-mb", 8);
var parallel = Arg("--parallel", 8);
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7BENCHMK");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "benchmark-secret");
Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", "us-east-1");
Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");

// --endpoint URL: use an emulator that is already running (e.g. one that logs every request) instead of starting moto.
var endpointIndex = Array.IndexOf(args, "--endpoint");
await using var moto = endpointIndex >= 0 ? null : await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
var url = moto?.Url ?? new Uri(args[endpointIndex + 1]);
Console.WriteLine($"emulator: moto at {url} (loopback), {Environment.ProcessorCount} cores");
if (mb > 0) await CheckpointBenchmark.RunAsync(url, moto?.Process, mb, rounds, partMb, parallel, args.Contains("--upload-only"));
if (steps > 0) await MetricsBenchmark.RunAsync(url, steps);
return 0;

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
