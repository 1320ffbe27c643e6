using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Testing;

// The worker's numbers (make bench): an idle worker's footprint while it long-polls, the time from submit
// to the first training step with an idle warm worker, and the wall time of a job through the queue
// against `tw run` of the same spec. Everything against moto on this machine.
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var idleSeconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
const string Fmnist = "/usr/share/datasets/fashion-mnist";
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7BENCHKEY");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "bench-secret");
Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
await using var moto = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
var name = "twbench-" + Guid.NewGuid().ToString("N")[..8];
var work = Directory.CreateTempSubdirectory("tw-worker-bench").FullName;
using var services = new ServiceCollection().AddLogging().AddTrainingWorkersAws(o =>
{
    o.ServiceUrl = moto.Url;
    o.Region = "us-east-1";
    o.S3.Bucket = name;
    o.JobTable.TableName = name;
}).BuildServiceProvider();
var queueUrl = (await services.GetRequiredService<Amazon.SQS.IAmazonSQS>().CreateQueueAsync(name)).QueueUrl;
var queue = new ServiceCollection().AddLogging().AddTrainingWorkersAws(o => { o.ServiceUrl = moto.Url; o.Region = "us-east-1"; o.Queue.QueueUrl = new Uri(queueUrl); })
    .BuildServiceProvider().GetRequiredService<IJobQueue>();
var store = services.GetRequiredService<IJobStore>();
var s3 = services.GetRequiredService<IAmazonS3>();
await s3.PutBucketAsync(name);
await JobTable.EnsureCreatedAsync(services.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), name, CancellationToken.None);
foreach (var file in Directory.GetFiles(Fmnist, "*.gz"))
{
    await s3.PutObjectAsync(new PutObjectRequest { BucketName = name, Key = "datasets/fashion-mnist/" + Path.GetFileName(file), FilePath = file });
}

// examples/quick-cnn.json, reading its data from the bucket as a user's job would.
var specText = File.ReadAllText(Path.Combine(RepoRoot(), "examples", "quick-cnn.json"));
string Spec(string train) => specText.Replace("\"train\": \"fashion-mnist\"", $"\"train\": \"{train}\"", StringComparison.Ordinal);
var spec = JsonDocument.Parse(Spec($"s3://{name}/datasets/fashion-mnist/")).RootElement.Clone();

var env = new Dictionary<string, string>
{
    ["TW_Aws__ServiceUrl"] = moto.Url.ToString(), ["TW_Aws__Region"] = "us-east-1", ["TW_Aws__Queue__QueueUrl"] = queueUrl,
    ["TW_Aws__S3__Bucket"] = name, ["TW_Aws__S3__AllowedPrefixes__0"] = $"s3://{name}/datasets/", ["TW_Aws__JobTable__TableName"] = name,
    ["TW_Aws__S3__CacheDirectory"] = Path.Combine(work, "cache"), ["TW_Worker__WorkDirectory"] = Path.Combine(work, "jobs"),
    ["TW_Worker__TwExecutable"] = Path.Combine(AppContext.BaseDirectory, "tw.dll"), ["TW_Worker__HealthPort"] = "0",
    ["TW_Worker__UseInstanceMetadata"] = "false", ["TW_Worker__WorkerId"] = "bench",
};
var log = new System.Text.StringBuilder();
var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tw-worker.dll"));
foreach (var (k, v) in env) info.Environment[k] = v;
using var worker = Process.Start(info)!;
worker.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
worker.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
worker.BeginOutputReadLine();
worker.BeginErrorReadLine();
string Log() { lock (log) return log.ToString(); }
while (!Log().Contains("polling", StringComparison.Ordinal))
{
    if (worker.HasExited) throw new InvalidOperationException("the worker exited:\n" + Log());
    await Task.Delay(100);
}

// 1. Idle: long-polling an empty queue.
await Task.Delay(TimeSpan.FromSeconds(5));
var (cpu0, wall0) = (CpuSeconds(worker.Id), Stopwatch.StartNew());
var rss = new List<double>();
for (var i = 0; i < idleSeconds; i++)
{
    await Task.Delay(TimeSpan.FromSeconds(1));
    rss.Add(RssMiB(worker.Id));
}

var idleCpu = (CpuSeconds(worker.Id) - cpu0) / wall0.Elapsed.TotalSeconds;

// 2. Jobs through the queue; the first warms the dataset cache and is not counted.
var firstStep = new List<double>();
var queued = new List<double>();
for (var i = 0; i <= runs; i++)
{
    var id = $"bench-{i}";
    var clock = Stopwatch.StartNew();
    await store.CreateAsync(id, spec.GetRawText(), CancellationToken.None);
    await queue.SubmitAsync(new JobMessage { JobId = id, Spec = spec }, CancellationToken.None);
    JobRecord? record;
    while ((record = await store.GetAsync(id, CancellationToken.None)) is not { Status: JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled })
    {
        await Task.Delay(50);
    }

    if (record.Status != JobStatus.Succeeded) throw new InvalidOperationException($"{id}: {record.Status} {record.Error}\n{Log()}");
    if (i == 0) continue;
    queued.Add(clock.Elapsed.TotalSeconds);
    var match = Regex.Match(Log(), $@"Job {id}: first training step (\d+) ms");
    firstStep.Add(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / 1000);
}

// 3. The same spec with `tw run`, data from Debian's copy; and a rank's own start-up (launch to first step).
var local = Path.Combine(work, "quick-cnn.json");
File.WriteAllText(local, Spec("fashion-mnist"));
var direct = new List<double>();
var rankStartup = new List<double>();
for (var i = 0; i < runs; i++)
{
    direct.Add(await RunTwAsync(["run", local, "--runs-dir", Path.Combine(work, "runs"), "--output", "json"], null));
    rankStartup.Add(await RunTwAsync(["run", local, "--run-dir", Path.Combine(work, $"rank-{i}")], new() { ["RANK"] = "0", ["WORLD_SIZE"] = "1", ["MASTER_ADDR"] = "127.0.0.1", ["MASTER_PORT"] = "29731" }, firstStepOnly: true));
}

worker.Kill();
await worker.WaitForExitAsync();
Console.WriteLine($"Worker benchmark: examples/quick-cnn.json (12,000 images, 3 epochs) from moto's S3, {runs} runs, medians; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine($"  idle worker, long-polling:        RSS {Median(rss):F0} MiB (max {rss.Max():F0}), CPU {idleCpu * 100:F2} %   (goals: < 150 MiB, < 1 %)");
Console.WriteLine($"  submit -> first training step:    {Median(firstStep):F2} s  (min {firstStep.Min():F2}, max {firstStep.Max():F2})");
Console.WriteLine($"  of which a rank's own start-up:   {Median(rankStartup):F2} s  (tw run as rank 0: process start, libtorch, data, first step)");
Console.WriteLine($"  worker overhead above it:         {Median(firstStep) - Median(rankStartup):F2} s  (goal: < 2 s)");
Console.WriteLine($"  job wall time, queue vs tw run:   {Median(queued):F2} s vs {Median(direct):F2} s = {Median(queued) / Median(direct):F2}x");
Directory.Delete(work, recursive: true);
return 0;

static double Median(List<double> xs)
{
    var s = xs.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

static double RssMiB(int pid) =>
    double.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;

static double CpuSeconds(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static async Task<double> RunTwAsync(string[] args, Dictionary<string, string>? env, bool firstStepOnly = false)
{
    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tw.dll"));
    foreach (var a in args) info.ArgumentList.Add(a);
    foreach (var (k, v) in env ?? []) info.Environment[k] = v;
    var clock = Stopwatch.StartNew();
    using var tw = Process.Start(info)!;
    _ = tw.StandardError.ReadToEndAsync();
    while (await tw.StandardOutput.ReadLineAsync() is { } line)
    {
        if (firstStepOnly && line.Contains("\"event\":\"progress\"", StringComparison.Ordinal) && !line.Contains("\"step\":0", StringComparison.Ordinal))
        {
            var elapsed = clock.Elapsed.TotalSeconds;
            tw.Kill(entireProcessTree: true);
            await tw.WaitForExitAsync();
            return elapsed;
        }
    }

    await tw.WaitForExitAsync();
    if (tw.ExitCode != 0) throw new InvalidOperationException($"tw {string.Join(' ', args)} exited {tw.ExitCode}");
    return clock.Elapsed.TotalSeconds;
}

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "TrainingWorkers.sln"))) return dir.FullName;
    }

    throw new DirectoryNotFoundException("the repository root (TrainingWorkers.sln) was not found above " + AppContext.BaseDirectory);
}
