using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Aws.Benchmarks;

/// <summary>
/// Uploads and downloads one checkpoint file through S3CheckpointStore and through `aws s3 cp`, alternating,
/// and prints median throughput and the ratio (ours / CLI). Our download includes SHA-256 verification.
/// </summary>
internal static class CheckpointBenchmark
{
    public static async Task RunAsync(Uri endpoint, int megabytes, int rounds, int partMegabytes, int parallelism)
    {
        var options = new AwsOptions { Region = "us-east-1", ServiceUrl = endpoint };
        options.S3.PartSizeBytes = (long)partMegabytes << 20;
        options.S3.Parallelism = parallelism;
        var s3 = new AwsConnection(options, NullLogger.Instance).CreateS3Client();
        var bucket = "bench-" + Guid.NewGuid().ToString("N")[..12];
        await s3.PutBucketAsync(bucket);
        var bytes = new byte[megabytes << 20];
        new Random(1).NextBytes(bytes);
        var file = Path.Combine(Path.GetTempPath(), $"tw-bench-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(file, bytes);
        var checkpoint = Checkpoint.Create("bench", 1, 1, new Dictionary<string, byte[]> { ["model.pt"] = bytes });
        var store = new S3CheckpointStore(new S3Transfer(s3, options.S3), bucket, "bench/checkpoints");
        var results = new Dictionary<string, List<double>> { ["ours up"] = [], ["cli up"] = [], ["ours down"] = [], ["cli down"] = [] };
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                results["ours up"].Add(await TimeAsync(() => store.WriteAsync(checkpoint, CancellationToken.None)));
                results["cli up"].Add(await TimeAsync(() => Cli(endpoint, "s3", "cp", "--quiet", file, $"s3://{bucket}/cli/model.pt")));
                results["ours down"].Add(await TimeAsync(() => store.ReadAsync(checkpoint.Manifest.Id, CancellationToken.None)));
                results["cli down"].Add(await TimeAsync(() => Cli(endpoint, "s3", "cp", "--quiet", $"s3://{bucket}/cli/model.pt", file + ".down")));
            }
        }
        finally
        {
            File.Delete(file);
            File.Delete(file + ".down");
        }

        Console.WriteLine($"checkpoint of {megabytes} MiB, {rounds} rounds, part size {options.S3.PartSizeBytes >> 20} MiB, {options.S3.Parallelism} parallel parts");
        foreach (var (name, seconds) in results)
        {
            Console.WriteLine($"  {name,-10} median {megabytes / Median(seconds),7:F1} MiB/s  (runs: {string.Join(", ", seconds.Select(s => $"{s:F2}s"))})");
        }

        Console.WriteLine($"  ratio upload   ours/cli = {Median(results["cli up"]) / Median(results["ours up"]):F2}");
        Console.WriteLine($"  ratio download ours/cli = {Median(results["cli down"]) / Median(results["ours down"]):F2}");
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task Cli(Uri endpoint, params string[] args)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardError = true };
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(endpoint.ToString());
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"aws {string.Join(' ', args)} failed: {stderr}");
    }
}
