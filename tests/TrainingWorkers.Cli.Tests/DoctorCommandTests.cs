using System.Text.Json.Nodes;
using TrainingWorkers.Cli.Doctor;

namespace TrainingWorkers.Cli.Tests;

/// <summary>`tw doctor` as the AMI's unit and a user run it: real `tw` processes, Debian's libtorch, and moto for the AWS checks.</summary>
[Collection(FleetCollection.Name)]
public sealed class DoctorCommandTests(MotoFixture moto) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-doctor-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Doctor_OnThisMachine_IsFit_AndReportsEachCheck()
    {
        var (code, stdout, stderr) = await Doctor([], "-o", "json");

        Assert.True(code == 0, stdout + stderr);
        var report = JsonNode.Parse(stdout)!;
        Assert.True(report["fit"]!.GetValue<bool>());
        Assert.Equal("ok", Outcome(report, "shim"));
        Assert.EndsWith("libtw_native.so", Check(report, "shim")["details"]!["path"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ok", Outcome(report, "libtorch"));
        Assert.Null(Check(report, "libtorch")["details"]!["cuda"]);
        Assert.Equal("ok", Outcome(report, "device cpu"));
        Assert.True(Check(report, "device cpu")["details"]!["loss"]!.GetValue<double>() > 0);
        Assert.True(Check(report, "data parallel")["details"]!["gloo"]!.GetValue<bool>());
        Assert.Equal(Path.Combine(_dir, "work"), Check(report, "work directory")["details"]!["path"]!.GetValue<string>());
        Assert.Equal("skip", Outcome(report, "aws"));

        (code, stdout, _) = await Doctor([]);
        Assert.Equal(0, code);
        Assert.Contains("tw doctor: fit: this machine can train", stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^ok\s+device cpu\s+a training step \(forward, backward, Adam\) in \d+ ms", stdout);
    }

    [Fact]
    public async Task Doctor_WithTheWorkersConfiguration_ReachesTheQueueTableAndBucket_AndFlagsOverrideIt()
    {
        var (queueUrl, bucket, table) = await CreateFleetAsync();
        var worker = new Dictionary<string, string?>
        {
            ["TW_Aws__ServiceUrl"] = moto.Url.ToString(), ["TW_Aws__Queue__QueueUrl"] = queueUrl, ["TW_Aws__S3__Bucket"] = bucket, ["TW_Aws__JobTable__TableName"] = table,
        };

        var (code, stdout, stderr) = await Doctor(worker, "-o", "json");

        Assert.True(code == 0, stdout + stderr);
        var report = JsonNode.Parse(stdout)!;
        Assert.Equal(("ok", "ok", "ok", "ok"), (Outcome(report, "credentials"), Outcome(report, "queue"), Outcome(report, "table"), Outcome(report, "bucket")));
        Assert.Contains("dead letters after 5 receives", Check(report, "queue")["summary"]!.GetValue<string>(), StringComparison.Ordinal);

        worker["TW_Aws__Queue__QueueUrl"] = queueUrl + "-missing";
        (code, stdout, _) = await Doctor(worker);
        Assert.Equal(1, code);
        Assert.Matches($@"(?m)^FAIL\s+queue\s+{System.Text.RegularExpressions.Regex.Escape(queueUrl)}-missing: ", stdout);
        Assert.Contains("tw doctor: not fit: 1 check failed", stdout, StringComparison.Ordinal);

        (code, stdout, _) = await Doctor(worker, "--queue-url", queueUrl);
        Assert.True(code == 0, stdout);
    }

    [Fact]
    public async Task Doctor_ShimMissing_NamesThePathTried_AndSkipsWhatNeedsIt()
    {
        var missing = Path.Combine(_dir, "nowhere", "libtw_native.so");

        var (code, stdout, _) = await Doctor(new() { ["TW_NATIVE_LIB"] = missing }, "-o", "json");

        Assert.Equal(1, code);
        var report = JsonNode.Parse(stdout)!;
        Assert.False(report["fit"]!.GetValue<bool>());
        Assert.Equal("fail", Outcome(report, "shim"));
        Assert.StartsWith(missing + ": ", Check(report, "shim")["details"]!["tried"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(("skip", "skip"), (Outcome(report, "libtorch"), Outcome(report, "devices")));
        Assert.Equal("ok", Outcome(report, "work directory"));
    }

    [Fact]
    public async Task Doctor_RequirementsThisMachineCannotMeet_AndAnUnwritableDirectory_FailEachNamed()
    {
        var (code, stdout, _) = await Doctor(new() { ["TW_Worker__WorkDirectory"] = "/proc/tw-doctor" }, "--min-gpus", "1", "--require-cuda-build");

        Assert.Equal(1, code);
        Assert.Matches(@"(?m)^FAIL\s+gpus\s+libtorch sees 0 CUDA device\(s\), --min-gpus wants 1", stdout);
        Assert.Matches(@"(?m)^FAIL\s+libtorch\s+.*a CPU build \(no CUDA\): --require-cuda-build wants a libtorch built with CUDA and cuDNN", stdout);
        Assert.Matches(@"(?m)^FAIL\s+data parallel\s+.*NCCL no", stdout);
        Assert.Matches(@"(?m)^FAIL\s+work directory\s+/proc/tw-doctor \(Worker:WorkDirectory\) is not writable", stdout);
        Assert.Contains("tw doctor: not fit: 4 checks failed", stdout, StringComparison.Ordinal);

        (code, _, var stderr) = await Doctor([], "--min-gpus", "65");
        Assert.Equal(2, code);
        Assert.Contains("--min-gpus: must be between 0 and 64, got 65", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Blas_TheReferenceLibrary_IsAWarning_OpenBlasAndMklAreNot()
    {
        Assert.Equal(CheckOutcome.Warn, Blas.Classify(["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"]).Outcome);
        Assert.Equal(CheckOutcome.Ok, Blas.Classify(["/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"]).Outcome);
        Assert.Equal(CheckOutcome.Ok, Blas.Classify(["/opt/conda/lib/libmkl_rt.so.2"]).Outcome);
        Assert.Contains("libtorch's own", Blas.Classify([]).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void GpuInventory_ParsesNvidiaSmisCsv_NamesWithCommasIncluded()
    {
        var inventory = GpuInventory.Parse("0, NVIDIA H200, 143771, 5, 570.86.15\n1, NVIDIA A10G, Rev 2, 23028, 1024, 570.86.15\n")!;

        Assert.Equal("570.86.15", inventory.DriverVersion);
        Assert.Equal(new DriverGpu(0, "NVIDIA H200", 143771, 5), inventory.Gpus[0]);
        Assert.Equal(new DriverGpu(1, "NVIDIA A10G, Rev 2", 23028, 1024), inventory.Gpus[1]);
        Assert.Null(GpuInventory.Parse("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."));
    }

    private static JsonNode Check(JsonNode report, string name) =>
        report["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;

    private static string Outcome(JsonNode report, string name) => Check(report, name)["outcome"]!.GetValue<string>();

    /// <summary>Runs `tw doctor` with the worker's directories in this test's folder, no environments file, and moto's credentials.</summary>
    private Task<(int ExitCode, string Stdout, string Stderr)> Doctor(Dictionary<string, string?> environment, params string[] args)
    {
        var env = MotoFixture.TwEnvironment(Path.Combine(_dir, "environments.json"));
        env["TW_Worker__WorkDirectory"] = Path.Combine(_dir, "work");
        env["TW_Aws__S3__CacheDirectory"] = Path.Combine(_dir, "cache");
        foreach (var (k, v) in environment) env[k] = v;
        return TwProcess.RunAsync(_dir, env, Timeout, ["doctor", .. args]);
    }

    private async Task<(string QueueUrl, string Bucket, string Table)> CreateFleetAsync()
    {
        var environments = Path.Combine(_dir, "fleet.json");
        var prefix = "d" + Guid.NewGuid().ToString("N")[..12];
        var (code, stdout, stderr) = await TwProcess.RunAsync(_dir, MotoFixture.TwEnvironment(environments), Timeout,
            "env", "create", "doctor", "--endpoint-url", moto.Url.ToString(), "--prefix", prefix);
        Assert.True(code == 0, stdout + stderr);
        var env = JsonNode.Parse(await File.ReadAllTextAsync(environments))!["environments"]!["doctor"]!;
        return (env["queue_url"]!.GetValue<string>(), env["bucket"]!.GetValue<string>(), env["table"]!.GetValue<string>());
    }
}
