using System.Text.Json;
using TrainingWorkers.Aws;
using TrainingWorkers.Worker;

namespace TrainingWorkers.Image.Tests;

/// <summary>
/// The AMI's service files against the worker they run: its exit codes, its hand-off time, its settings, and the
/// names the fleet relies on (the configuration file, the log the CloudWatch agent ships).
/// </summary>
public sealed class UnitContractTests
{
    private const string EnvironmentFile = "/etc/trainingworkers/worker.env";
    private static readonly string Files = Repository.Path("ami", "provision", "files");
    private readonly SystemdUnit _unit = SystemdUnit.Load(Path.Combine(Files, "tw-worker.service"));

    [Fact]
    public void Unit_StopsByHandingOffWithinItsTimeout_AndRestartsOnlyWhatARestartCanFix()
    {
        Assert.Equal("mixed", _unit.Required("Service", "KillMode"));
        var handOff = new WorkerOptions().ShutdownTimeout + TimeSpan.FromSeconds(10);
        var stop = TimeSpan.FromSeconds(int.Parse(_unit.Required("Service", "TimeoutStopSec"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(stop > handOff, $"TimeoutStopSec {stop} must outlast the worker's hand-off ({handOff}: ShutdownTimeout plus the host's 10 s)");
        Assert.Equal("on-failure", _unit.Required("Service", "Restart"));
        // 2 is the worker's exit code for invalid configuration (the install test runs it); 3, a refused or missing
        // queue, may be IAM still propagating on a new instance: it is retried, within the start limit.
        Assert.Equal("2", _unit.Required("Service", "RestartPreventExitStatus"));
        // Retried without end, but not hammered: each start loads libtorch and asks AWS.
        Assert.Equal("0", _unit.Required("Unit", "StartLimitIntervalSec"));
        Assert.True(int.Parse(_unit.Required("Service", "RestartSec"), System.Globalization.CultureInfo.InvariantCulture) >= 10);
    }

    [Fact]
    public void Unit_ReadsTheFleetsConfigurationFile_AndTheCloudWatchAgentShipsItsLog()
    {
        Assert.Equal(EnvironmentFile, _unit.Required("Service", "EnvironmentFile"));
        Assert.Equal(EnvironmentFile, _unit.Required("Unit", "ConditionPathExists"));
        var path = SystemdUnit.Load(Path.Combine(Files, "tw-worker.path"));
        Assert.Equal(EnvironmentFile, path.Required("Path", "PathChanged"));
        Assert.Equal("tw-worker.service", path.Required("Path", "Unit"));
        Assert.Equal("/opt/trainingworkers/bin/tw-worker", _unit.Required("Service", "ExecStart"));
        Assert.StartsWith("/opt/trainingworkers/bin/tw doctor ", _unit.Required("Service", "ExecStartPre"), StringComparison.Ordinal);

        var log = _unit.Required("Service", "StandardOutput");
        Assert.StartsWith("append:", log, StringComparison.Ordinal);
        using var agent = JsonDocument.Parse(File.ReadAllText(Path.Combine(Files, "cloudwatch-agent.json")));
        var collected = agent.RootElement.GetProperty("logs").GetProperty("logs_collected").GetProperty("files").GetProperty("collect_list")[0];
        Assert.Equal(log["append:".Length..], collected.GetProperty("file_path").GetString());
        Assert.StartsWith(log["append:".Length..], File.ReadAllText(Path.Combine(Files, "trainingworkers.logrotate")).Split('\n').First(l => l.StartsWith('/')), StringComparison.Ordinal);
    }

    [Fact]
    public void UnitAndExampleConfiguration_NameOnlySettingsTheWorkerHas_AndTheUnitsDirectoriesAreSystemds()
    {
        var defaults = _unit.Environment().ToDictionary(kv => kv.Key, kv => kv.Value);
        WorkerSettings.AssertAllExist(defaults.Keys, "tw-worker.service");
        var example = SystemdUnit.ReadEnvironmentFile(Path.Combine(Files, "worker.env.example")).Select(kv => kv.Key).ToList();
        WorkerSettings.AssertAllExist(example, "worker.env.example");
        Assert.Contains("TW_Aws__Queue__QueueUrl", example);
        Assert.Contains("TW_Aws__S3__Bucket", example);

        // systemd creates (and gives the service user) /var/lib/<StateDirectory> and /var/cache/<CacheDirectory>.
        Assert.StartsWith($"/var/lib/{_unit.Required("Service", "StateDirectory")}/", defaults["TW_Worker__WorkDirectory"], StringComparison.Ordinal);
        Assert.Equal($"/var/cache/{_unit.Required("Service", "CacheDirectory")}", defaults["TW_Aws__S3__CacheDirectory"]);
        var user = _unit.Required("Service", "User");
        Assert.Contains($"u {user} ", File.ReadAllText(Path.Combine(Files, "trainingworkers.sysusers")), StringComparison.Ordinal);
    }

    [Fact]
    public void CloudWatchAgent_CollectsGpuMetricsInTheWorkersNamespace()
    {
        using var agent = JsonDocument.Parse(File.ReadAllText(Path.Combine(Files, "cloudwatch-agent.json")));
        var metrics = agent.RootElement.GetProperty("metrics");
        // One namespace for the worker's metrics and the instances': the fleet's IAM policy allows PutMetricData to it alone.
        Assert.Equal(new AwsOptions().Metrics.Namespace, metrics.GetProperty("namespace").GetString());
        var gpu = metrics.GetProperty("metrics_collected").GetProperty("nvidia_gpu").GetProperty("measurement").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains("utilization_gpu", gpu);
        Assert.Contains("memory_used", gpu);
        Assert.Contains("${aws:AutoScalingGroupName}", metrics.GetProperty("append_dimensions").GetRawText(), StringComparison.Ordinal);
    }
}
