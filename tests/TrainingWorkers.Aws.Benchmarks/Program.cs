using System.Globalization;
using TrainingWorkers.Aws.Benchmarks;

// Numbers for issue 5: checkpoint transfer throughput against `aws s3 cp` of the same file, and the
// metrics publisher's cost inside a training step. Usage:
//   dotnet run -c Release --project tests/TrainingWorkers.Aws.Benchmarks -- [--mb 200] [--rounds 3] [--steps 5000] [--part-mb 8] [--parallel 8]
var mb = Arg("--mb", 200);
var rounds = Arg("--rounds", 3);
var steps = Arg("--steps", 5000);
var partMb = Arg("--part-mb", 8);
var parallel = Arg("--parallel", 8);
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7BENCHMK");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "benchmark-secret");
Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", "us-east-1");
Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");

await using var moto = await Emulator.StartAsync();
Console.WriteLine($"emulator: moto at {moto.Url} (loopback), {Environment.ProcessorCount} cores");
if (mb > 0) await CheckpointBenchmark.RunAsync(moto.Url, mb, rounds, partMb, parallel);
if (steps > 0) await MetricsBenchmark.RunAsync(moto.Url, steps);
return 0;

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
