using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TrainingWorkers.Engine;
using TrainingWorkers.Engine.Distributed;

// Data-parallel throughput on this machine: `tw run --nproc-per-node N` for N = 1 and 2 at the same
// global batch, the training samples/s of the last epoch (rank 0's metrics.jsonl) and the share of
// each rank's training time spent in gradient synchronization (its `done` event).
// Then the same runs with PyTorch's DistributedDataParallel (ddp_peer.py, Debian's python3-torch: the
// same libtorch on CPU; on a GPU machine the python3 whose torch has CUDA) and the ratio ours / DDP.
// On CUDA: one rank on one GPU, then one rank per GPU where there are several, batch 128 per rank.
//   dotnet run --project tests/TrainingWorkers.DataParallelBenchmark -c Release -- [epochs] [train_limit] [cpu|cuda] [python]
var epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var trainLimit = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20000;
var device = args.Length > 2 ? args[2] : "cpu";
var python = args.Length > 3 ? args[3] : "/usr/bin/python3";
var dir = Directory.CreateTempSubdirectory("tw-dp-bench-").FullName;
var cores = Environment.ProcessorCount;
var gpus = device == "cuda" ? Torch.CudaDeviceCount : 0;
if (device == "cuda" && gpus == 0) throw new InvalidOperationException("device cuda: libtorch sees no GPU (is TW_NATIVE_LIB a shim built against a CUDA libtorch?)");
Console.WriteLine(device == "cuda"
    ? $"MLP 784-256-10 (Adam), Fashion-MNIST {trainLimit} examples, {epochs} epochs, batch 128 per rank, {gpus} GPU(s); samples/s of the last epoch"
    : $"MLP 784-256-10 (Adam), Fashion-MNIST {trainLimit} examples, {epochs} epochs, global batch 128, {cores} cores, cpu; samples/s of the last epoch");
try
{
    var configs = new List<(string Name, int Ranks, int Batch, int Threads)>();
    if (device == "cuda")
    {
        configs.Add(("1 rank  x batch 128 on one GPU", 1, 128, 1));
        if (gpus > 1) configs.Add(($"{gpus} ranks x batch 128, one GPU each", gpus, 128, 1));
    }
    else
    {
        configs.Add(($"1 rank  x batch 128, {cores} threads", 1, 128, cores));
        configs.Add(("1 rank  x batch 128, 1 thread", 1, 128, 1));
        configs.Add(($"2 ranks x batch  64, {Math.Max(1, cores / 2)} thread(s) each", 2, 64, Math.Max(1, cores / 2)));
    }

    var runs = configs.Select(c => (c.Name, R: Run(c.Ranks, c.Batch, c.Threads), Peer: RunPeer(c.Ranks, c.Batch, c.Threads))).ToList();
    var baseline = runs[0].R.SamplesPerSecond;
    Console.WriteLine($"{"run",-42} {"samples/s",10} {"vs first",9} {"sync share",11} {"sync ms/step",13} {"DDP samples/s",14} {"ours/DDP",9}");
    foreach (var (name, r, peer) in runs)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-42} {r.SamplesPerSecond,10:F0} {r.SamplesPerSecond / baseline,9:F2} {r.SyncShare,11:P1} {r.SyncMsPerStep,13:F2} {peer,14:F0} {r.SamplesPerSecond / peer,9:F2}"));
    }
}
finally
{
    Directory.Delete(dir, recursive: true);
}

Result Run(int ranks, int batch, int threads)
{
    var name = $"bench-{ranks}x{batch}-t{threads}";
    var spec = Path.Combine(dir, name + ".json");
    File.WriteAllText(spec, $$"""
        { "apiVersion": "trainingworkers/v1", "name": "{{name}}",
          "model": { "type": "mlp", "hidden": [256], "dropout": 0 },
          "data": { "train": "fashion-mnist", "train_limit": {{trainLimit}}, "validation_split": 0, "use_test_set": false },
          "training": { "epochs": {{epochs}}, "batch_size": {{batch}}, "threads": {{threads}}, "device": "{{device}}" },
          "checkpointing": { "every_epochs": 1000 } }
        """);
    // The tw program beside this one: also in a self-contained publish (scripts/gpu-check.sh), which has no dotnet.
    var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "tw")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
    foreach (var a in new[] { "run", spec, "--output", "json", "--nproc-per-node", ranks.ToString(CultureInfo.InvariantCulture), "--master-port", LaunchOptions.FreePort().ToString(CultureInfo.InvariantCulture) })
    {
        info.ArgumentList.Add(a);
    }

    using var tw = Process.Start(info)!;
    var stderr = tw.StandardError.ReadToEndAsync();
    var stdout = tw.StandardOutput.ReadToEnd();
    tw.WaitForExit();
    if (tw.ExitCode != 0) throw new InvalidOperationException($"{name} failed ({tw.ExitCode}): {stdout} {stderr.Result}");
    var runDir = JsonDocument.Parse(stdout).RootElement.GetProperty("run_dir").GetString()!;
    var lastEpoch = File.ReadLines(Path.Combine(runDir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
        .Last(e => e.GetProperty("name").GetString() == "samples_per_second");
    var done = stderr.Result.Split('\n').Select(RankEvent.TryParse).Where(e => e?.Event == RankEventKind.Done).ToList();
    // A group of one syncs nothing (no hook): its share is 0.
    var syncShare = done.Average(e => e!.SyncSeconds!.Value / e.Seconds!.Value);
    var msPerStep = done.Average(e => e!.SyncSteps > 0 ? 1000 * e.SyncSeconds!.Value / e.SyncSteps!.Value : 0);
    return new Result(lastEpoch.GetProperty("value").GetDouble(), syncShare, msPerStep);
}

// PyTorch DDP with the same ranks, batch and threads; ranks of a group of two wait passively, as ours do.
// The peer also gets the malloc settings the shim gives itself (src/native/common.cpp): under glibc's
// defaults, one freed 47 MB read buffer (all 60,000 images) leaves the mmap threshold at 128 KiB, every
// batch tensor is then mmap'd and unmapped, and the peer ran 3x slower than with these settings.
double RunPeer(int ranks, int batch, int threads)
{
    var port = LaunchOptions.FreePort().ToString(CultureInfo.InvariantCulture);
    var peers = Enumerable.Range(0, ranks).Select(rank =>
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ddp_peer.py"), "--device", device, "--epochs", epochs.ToString(CultureInfo.InvariantCulture),
            "--train-limit", trainLimit.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        var text = rank.ToString(CultureInfo.InvariantCulture);
        (info.Environment["RANK"], info.Environment["LOCAL_RANK"], info.Environment["WORLD_SIZE"]) = (text, text, ranks.ToString(CultureInfo.InvariantCulture));
        (info.Environment["MASTER_ADDR"], info.Environment["MASTER_PORT"]) = ("127.0.0.1", port);
        if (ranks > 1 && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) info.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        (info.Environment["MALLOC_MMAP_THRESHOLD_"], info.Environment["MALLOC_TRIM_THRESHOLD_"]) = ($"{32 << 20}", $"{64 << 20}");
        var process = Process.Start(info)!;
        return (Process: process, Stdout: process.StandardOutput.ReadToEndAsync(), Stderr: process.StandardError.ReadToEndAsync());
    }).ToList();
    foreach (var p in peers) p.Process.WaitForExit();
    var failed = peers.FirstOrDefault(p => p.Process.ExitCode != 0);
    if (failed.Process is not null) throw new InvalidOperationException($"ddp_peer.py failed ({failed.Process.ExitCode}): {failed.Stderr.Result}");
    return JsonDocument.Parse(peers[0].Stdout.Result).RootElement.GetProperty("samples_per_second").GetDouble();
}

internal sealed record Result(double SamplesPerSecond, double SyncShare, double SyncMsPerStep);
