using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrainingWorkers.Image.Tests;

/// <summary>
/// The AMI's provisioning for real on this machine: the bundle's self-contained programs installed with
/// ami/provision/install.sh into a temporary root (the shim built against Debian's CPU libtorch instead of the
/// AMI's CUDA one), the units checked by systemd-analyze, then the installed unit's own commands run as systemd
/// would run them, against moto: tw doctor, a worker refusing bad configuration, a worker that gets ready and
/// trains a job submitted with the installed tw, and a stop by SIGTERM.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class InstallTests(MotoFixture moto, BundleFixture bundle) : IClassFixture<BundleFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void Bundle_HoldsSelfContainedProgramsWithoutAShim_AndTheCheckoutsProvisioningFiles()
    {
        var bin = Path.Combine(bundle.Stage, "bin");
        foreach (var program in new[] { "tw", "tw-worker" })
        {
            Assert.True(File.Exists(Path.Combine(bin, program)), $"no bin/{program}");
            Assert.True(File.GetUnixFileMode(Path.Combine(bin, program)).HasFlag(UnixFileMode.UserExecute), $"bin/{program} is not executable");
            // Self-contained: the runtime is in the bundle, and the program names no shared framework to look for.
            using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(bin, $"{program}.runtimeconfig.json")));
            Assert.True(config.RootElement.GetProperty("runtimeOptions").TryGetProperty("includedFrameworks", out _), $"{program} is not self-contained");
        }

        Assert.True(File.Exists(Path.Combine(bin, "libcoreclr.so")));
        Assert.False(File.Exists(Path.Combine(bin, "libtw_native.so")), "the shim is built on the instance, against its libtorch");
        // The install test below runs the checkout's copies of these, so they must be the bundle's.
        foreach (var relative in Directory.GetFiles(Repository.Path("ami", "provision"), "*", SearchOption.AllDirectories)
                     .Concat(Directory.GetFiles(Repository.Path("src", "native")))
                     .Append(Repository.Path("scripts", "build-shim.sh"))
                     .Select(f => Path.GetRelativePath(Repository.Root, f)))
        {
            var staged = Path.Combine(bundle.Stage, relative);
            Assert.True(File.Exists(staged) && File.ReadAllBytes(staged).AsSpan().SequenceEqual(File.ReadAllBytes(Repository.Path(relative))), $"{relative} differs in the bundle");
        }
    }

    [Fact]
    public async Task BundledDoctor_WithoutConfiguration_ChecksTheDirectoriesTheWorkerUsesByDefault()
    {
        var env = MotoFixture.ChildEnvironment();
        foreach (var name in new[] { "TW_Worker__WorkDirectory", "TW_Aws__S3__CacheDirectory", "TW_NATIVE_LIB", "TW_ENV" }) env[name] = null;
        env["TW_ENVIRONMENTS"] = Path.Combine(bundle.Directory, "none.json");

        var (code, output) = await Repository.RunAsync(Path.Combine(bundle.Stage, "bin", "tw"), ["doctor", "-o", "json"], Timeout, env);

        // The bundle has no shim (each machine builds its own): not fit, but the directory checks run regardless.
        Assert.Equal(1, code);
        var checks = JsonNode.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..])!["checks"]!.AsArray();
        string Path_(string name) => checks.Single(c => c!["name"]!.GetValue<string>() == name)!["details"]!["path"]!.GetValue<string>();
        Assert.Equal("fail", checks.Single(c => c!["name"]!.GetValue<string>() == "shim")!["outcome"]!.GetValue<string>());
        Assert.Equal(new Worker.WorkerOptions().WorkDirectory, Path_("work directory"));
        Assert.Equal(new Aws.AwsOptions().S3.CacheDirectory, Path_("data cache"));
    }

    [Fact]
    public async Task Install_IntoATemporaryRoot_TheUnitsCommandsCheckTheMachineThenTheWorkerTrainsAJobAndStopsOnSigterm()
    {
        var root = Directory.CreateTempSubdirectory("tw-root-").FullName;
        var state = Directory.CreateTempSubdirectory("tw-image-").FullName;
        Process? worker = null;
        try
        {
            // make's CMake build folder: an up-to-date shim is configured, not compiled again.
            var (code, output) = await Repository.RunAsync(Repository.Path("ami", "provision", "install.sh"),
                ["--root", root, "--bin", Path.Combine(bundle.Stage, "bin"), "--shim-build-dir", Repository.Path("build", "native")], TimeSpan.FromMinutes(15));
            Assert.True(code == 0, $"install.sh (exit {code}):\n{output}");
            AssertInstalled(root);
            await VerifyUnitsAsync(root);

            var unit = SystemdUnit.Load(Path.Combine(root, "etc/systemd/system/tw-worker.service"));
            var (environments, queueUrl, bucket, table) = await CreateFleetAsync(root, state);
            var port = MotoServer.FreePort();
            // What the launch template's user data writes (credentials come from the instance role on EC2).
            await File.WriteAllLinesAsync(Path.Combine(root, "etc/trainingworkers/worker.env"),
            [
                "# written by the test as user data would",
                $"AWS_ACCESS_KEY_ID={MotoFixture.AccessKeyId}", $"AWS_SECRET_ACCESS_KEY={MotoFixture.SecretKey}",
                $"TW_Aws__Region={MotoFixture.Region}", $"TW_Aws__ServiceUrl={moto.Url}", $"TW_Aws__Queue__QueueUrl={queueUrl}",
                $"TW_Aws__S3__Bucket={bucket}", $"TW_Aws__JobTable__TableName={table}", $"TW_Worker__HealthPort={port}",
                "TW_DOCTOR_ARGS=--min-gpus 0",
            ]);
            var service = new UnitProcess(root, unit, new Dictionary<string, string>());

            var doctor = await service.RunAsync(unit.Required("Service", "ExecStartPre"), Timeout);
            Assert.True(doctor == 0, $"ExecStartPre (tw doctor) exit {doctor}:\n{service.Log}");
            foreach (var line in new[] { "tw doctor: fit", "ok    queue", "ok    bucket", "ok    table", $"{root}/var/lib/trainingworkers/work writable" })
            {
                Assert.Contains(line, service.Log, StringComparison.Ordinal);
            }

            var invalid = new UnitProcess(root, unit, new Dictionary<string, string> { ["TW_Worker__LeaseDuration"] = "00:00:01" });
            var refused = await invalid.RunAsync(unit.Required("Service", "ExecStart"), Timeout);
            Assert.Equal(int.Parse(unit.Required("Service", "RestartPreventExitStatus"), System.Globalization.CultureInfo.InvariantCulture), refused);
            Assert.Contains("Worker:LeaseDuration: must be between 00:00:05 and 12:00:00", invalid.Log, StringComparison.Ordinal);

            worker = service.Start(unit.Required("Service", "ExecStart"));
            await WaitReadyAsync(port, worker, service);
            var jobId = await TrainAsync(root, state, environments, service);
            Assert.Contains($"{jobId}", service.Log, StringComparison.Ordinal);

            // systemctl stop with KillMode=mixed: SIGTERM to the worker alone, SIGKILL to all after TimeoutStopSec.
            var clock = Stopwatch.StartNew();
            (code, output) = await Repository.RunAsync("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
            Assert.True(code == 0, output);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(int.Parse(unit.Required("Service", "TimeoutStopSec"), System.Globalization.CultureInfo.InvariantCulture)));
            await worker.WaitForExitAsync(stop.Token);
            Assert.True(worker.ExitCode == 0, $"the worker exited {worker.ExitCode} after SIGTERM ({clock.Elapsed}):\n{service.Log}");
        }
        finally
        {
            if (worker is { HasExited: false }) worker.Kill(entireProcessTree: true);
            worker?.Dispose();
            Directory.Delete(root, recursive: true);
            Directory.Delete(state, recursive: true);
        }
    }

    private static void AssertInstalled(string root)
    {
        foreach (var file in new[]
        {
            "opt/trainingworkers/bin/tw", "opt/trainingworkers/bin/tw-worker", "opt/trainingworkers/bin/libtw_native.so",
            "etc/systemd/system/tw-worker.service", "etc/systemd/system/tw-worker.path", "etc/trainingworkers/worker.env.example",
            "usr/lib/sysusers.d/trainingworkers.conf", "etc/logrotate.d/trainingworkers", "opt/aws/amazon-cloudwatch-agent/etc/trainingworkers.json",
        })
        {
            Assert.True(File.Exists(Path.Combine(root, file)), $"install.sh did not install /{file}");
        }

        foreach (var enabled in new[] { "tw-worker.service", "tw-worker.path" })
        {
            var link = new FileInfo(Path.Combine(root, "etc/systemd/system/multi-user.target.wants", enabled));
            Assert.Equal($"/etc/systemd/system/{enabled}", link.LinkTarget);
        }

        Assert.Equal("/opt/trainingworkers/bin/tw", new FileInfo(Path.Combine(root, "usr/local/bin/tw")).LinkTarget);
        Assert.Contains(File.ReadAllLines(Path.Combine(root, "etc/passwd")), l => l.StartsWith("tw-worker:x:", StringComparison.Ordinal));
        Assert.True(Directory.Exists(Path.Combine(root, "var/log/trainingworkers")));
    }

    /// <summary>systemd's own check of the installed units, in the root (with this machine's system units for their dependencies).</summary>
    private static async Task VerifyUnitsAsync(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "usr/lib/systemd"));
        var (code, output) = await Repository.RunAsync("cp", ["-a", "/usr/lib/systemd/system", Path.Combine(root, "usr/lib/systemd/")], TimeSpan.FromMinutes(1));
        Assert.True(code == 0, output);
        (code, output) = await Repository.RunAsync("systemd-analyze", ["verify", $"--root={root}", "--man=no",
            "/etc/systemd/system/tw-worker.service", "/etc/systemd/system/tw-worker.path"], TimeSpan.FromMinutes(1));
        Assert.True(code == 0 && output.Length == 0, $"systemd-analyze verify (exit {code}):\n{output}");
    }

    /// <summary>The fleet's queue (with its dead-letter queue), bucket and table, made by the installed tw.</summary>
    private async Task<(string Environments, string QueueUrl, string Bucket, string Table)> CreateFleetAsync(string root, string state)
    {
        var environments = Path.Combine(state, "environments.json");
        var (code, output) = await Tw(root, environments, "env", "create", "image", "--endpoint-url", moto.Url.ToString(), "--prefix", MotoFixture.RandomName("img").ToLowerInvariant()[..16]);
        Assert.True(code == 0, output);
        var env = JsonNode.Parse(await File.ReadAllTextAsync(environments))!["environments"]!["image"]!;
        return (environments, env["queue_url"]!.GetValue<string>(), env["bucket"]!.GetValue<string>(), env["table"]!.GetValue<string>());
    }

    private static async Task WaitReadyAsync(int port, Process worker, UnitProcess service)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(worker.HasExited, $"the worker exited ({(worker.HasExited ? worker.ExitCode : 0)}) before it was ready:\n{service.Log}");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"not ready within 2 minutes:\n{service.Log}");
            await Task.Delay(250);
        }
    }

    /// <summary>Submits a small MLP job with the installed tw and waits for it to succeed; returns its id.</summary>
    private static async Task<string> TrainAsync(string root, string state, string environments, UnitProcess service)
    {
        var spec = Path.Combine(state, "job.json");
        await File.WriteAllTextAsync(spec, """
            { "apiVersion": "trainingworkers/v1", "name": "image-test", "model": { "type": "mlp", "hidden": [32] },
              "data": { "format": "idx", "train": "fashion-mnist", "train_limit": 2000, "test_limit": 500 },
              "training": { "epochs": 1, "batch_size": 64, "threads": 1 } }
            """);
        var (code, output) = await Tw(root, environments, "submit", spec, "--env", "image", "-o", "json");
        Assert.True(code == 0, output);
        var jobId = JsonNode.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..])!["job_id"]!.GetValue<string>();
        (code, output) = await Tw(root, environments, "wait", jobId, "--env", "image", "--timeout", "300");
        Assert.True(code == 0, $"tw wait {jobId} (exit {code}):\n{output}\nworker:\n{service.Log}");
        (code, output) = await Tw(root, environments, "status", jobId, "--env", "image", "-o", "json");
        var status = JsonNode.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..])!;
        Assert.Equal("Succeeded", status["status"]!.GetValue<string>());
        return jobId;
    }

    private static Task<(int ExitCode, string Output)> Tw(string root, string environments, params string[] args)
    {
        var env = MotoFixture.ChildEnvironment();
        env["TW_ENVIRONMENTS"] = environments;
        env["TW_ENV"] = null;
        return Repository.RunAsync(Path.Combine(root, "opt/trainingworkers/bin/tw"), args, Timeout, env);
    }
}
