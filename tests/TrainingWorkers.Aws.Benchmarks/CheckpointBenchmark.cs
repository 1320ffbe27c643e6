using System.Diagnostics;
using System.Runtime.InteropServices;
using Amazon.S3;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Aws.Benchmarks;

/// <summary>
/// Uploads and downloads one checkpoint file through S3CheckpointStore and through `aws s3 cp`, alternating,
/// and prints median throughput and the ratio (ours / CLI). Our download includes SHA-256 verification.
/// </summary>
/// <remarks>
/// Fairness: both sides are warmed up once at full size, untimed (our JIT, the CLI's first start from a cold page cache).
/// Every `aws` run pays the CLI's Python start-up, which a long-lived worker does not; each round therefore also
/// times a near no-op CLI call (`aws s3 ls` of the one-object warm-up prefix: start-up plus one tiny request) and the ratio is printed
/// both raw and with that start-up taken off the CLI's time. Per run it prints the client's CPU (our process, or
/// the `aws` child) and the emulator's CPU when this benchmark started it: on two shared cores, CPU one side
/// burns is CPU moto lacks.
/// </remarks>
internal static class CheckpointBenchmark
{
    public static async Task RunAsync(Uri endpoint, Process? emulator, int megabytes, int rounds, int partMegabytes, int parallelism, bool uploadOnly)
    {
        var options = new AwsOptions { Region = "us-east-1", ServiceUrl = endpoint };
        options.S3.PartSizeBytes = (long)partMegabytes << 20;
        options.S3.Parallelism = parallelism;
        var s3 = new AwsConnection(options, NullLogger.Instance).CreateClient<IAmazonS3>();
        var bucket = "bench-" + Guid.NewGuid().ToString("N")[..12];
        await s3.PutBucketAsync(bucket);
        var bytes = new byte[megabytes << 20];
        new Random(1).NextBytes(bytes);
        var file = Path.Combine(Path.GetTempPath(), $"tw-bench-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(file, bytes);
        var checkpoint = Checkpoint.Create("bench", 1, 1, new Dictionary<string, byte[]> { ["model.pt"] = bytes });
        var store = new S3CheckpointStore(new S3Transfer(s3, options.S3), bucket, "bench/checkpoints");
        var results = new Dictionary<string, List<double>> { ["ours up"] = [], ["cli up"] = [], ["cli start"] = [] };
        if (!uploadOnly)
        {
            results["ours down"] = [];
            results["cli down"] = [];
        }

        var meter = new Meter(emulator);
        try
        {
            // Warm-up, untimed, at full size: a worker uploads checkpoint after checkpoint, so the first upload's JIT and
            // tier-up (measured: half again the CPU of later ones after a 24 MiB warm-up) is not what it pays each time.
            // The CLI gets one run too (page cache, .pyc files), and a one-object prefix for the start-up probe.
            await store.WriteAsync(checkpoint, CancellationToken.None);
            await store.ReadAsync(checkpoint.Manifest.Id, CancellationToken.None);
            await Cli(endpoint, "s3", "cp", "--quiet", file, $"s3://{bucket}/warm/model.pt");

            for (var round = 0; round < rounds; round++)
            {
                results["ours up"].Add(await meter.TimeAsync("ours up", () => store.WriteAsync(checkpoint, CancellationToken.None)));
                results["cli up"].Add(await meter.TimeAsync("cli up", () => Cli(endpoint, "s3", "cp", "--quiet", file, $"s3://{bucket}/cli/model.pt")));
                results["cli start"].Add(await meter.TimeAsync("cli start", () => Cli(endpoint, "s3", "ls", $"s3://{bucket}/warm/")));
                if (uploadOnly) continue;
                results["ours down"].Add(await meter.TimeAsync("ours down", () => store.ReadAsync(checkpoint.Manifest.Id, CancellationToken.None)));
                results["cli down"].Add(await meter.TimeAsync("cli down", () => Cli(endpoint, "s3", "cp", "--quiet", $"s3://{bucket}/cli/model.pt", file + ".down")));
            }
        }
        finally
        {
            File.Delete(file);
            File.Delete(file + ".down");
        }

        Console.WriteLine($"checkpoint of {megabytes} MiB, {rounds} rounds, part size {options.S3.PartSizeBytes >> 20} MiB, {options.S3.Parallelism} parallel parts");
        foreach (var (name, seconds) in results.Where(r => r.Key != "cli start"))
        {
            Console.WriteLine($"  {name,-10} median {megabytes / Median(seconds),7:F1} MiB/s  (runs: {string.Join(", ", seconds.Select(s => $"{s:F2}s"))})");
        }

        var start = Median(results["cli start"]);
        Console.WriteLine($"  cli start-up (`aws s3 ls` of one object) median {start:F2}s  (runs: {string.Join(", ", results["cli start"].Select(s => $"{s:F2}s"))})");
        Console.WriteLine($"  ratio upload   ours/cli = {Median(results["cli up"]) / Median(results["ours up"]):F2} raw, "
            + $"{(Median(results["cli up"]) - start) / Median(results["ours up"]):F2} without the CLI's start-up");
        if (!uploadOnly)
        {
            Console.WriteLine($"  ratio download ours/cli = {Median(results["cli down"]) / Median(results["ours down"]):F2} raw, "
                + $"{(Median(results["cli down"]) - start) / Median(results["ours down"]):F2} without the CLI's start-up");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task Cli(Uri endpoint, params string[] args)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(endpoint.ToString());
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await stdout;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"aws {string.Join(' ', args)} failed: {stderr}");
    }

    /// <summary>Wall time of one run, with the CPU the client side and the emulator spent on it.</summary>
    private sealed class Meter(Process? emulator)
    {
        public async Task<double> TimeAsync(string name, Func<Task> action)
        {
            var client = ClientCpu();
            var server = ServerCpu();
            var clock = Stopwatch.StartNew();
            await action();
            var seconds = clock.Elapsed.TotalSeconds;
            var serverText = emulator is null ? "" : $", moto CPU {(ServerCpu() - server).TotalSeconds:F2}s";
            Console.WriteLine($"  {name,-10} {seconds,6:F2}s wall, client CPU {(ClientCpu() - client).TotalSeconds:F2}s{serverText}");
            return seconds;
        }

        // Our own process plus every `aws` child that has exited (the emulator is a child that never exits here).
        private static TimeSpan ClientCpu() => Process.GetCurrentProcess().TotalProcessorTime + ExitedChildrenCpu();

        private TimeSpan ServerCpu()
        {
            if (emulator is null) return TimeSpan.Zero;
            emulator.Refresh();
            return emulator.TotalProcessorTime;
        }

        private static TimeSpan ExitedChildrenCpu()
        {
            // struct rusage starts with two struct timevals (user, system): {long tv_sec; long tv_usec;} each on Linux x64.
            var usage = new long[18];
            return getrusage(RusageChildren, usage) == 0
                ? TimeSpan.FromMicroseconds((usage[0] * 1e6) + usage[1] + (usage[2] * 1e6) + usage[3])
                : TimeSpan.Zero;
        }

        private const int RusageChildren = -1;

        [DllImport("libc", SetLastError = true)]
        private static extern int getrusage(int who, long[] usage);
    }
}
