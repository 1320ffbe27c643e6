using System.Diagnostics;
using System.Text.Json;

namespace TrainingWorkers.Cli.Tests;

public sealed class RunCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSpec(string json)
    {
        var path = Path.Combine(_dir, "job.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task Run_InvalidSpec_ExitsTwoWithEveryErrorAndRunsNothing()
    {
        var spec = WriteSpec("""
            { "apiVersion": "trainingworkers/v1", "name": "bad", "data": { "train": "fashion-mnist" },
              "training": { "learning_rate": -0.1, "batch_size": 0 } }
            """);
        var (code, _, stderr) = await TwProcess.RunAsync(_dir, Timeout, "run", spec);

        Assert.Equal(2, code);
        Assert.Contains("training.learning_rate: must be > 0, got -0.1", stderr, StringComparison.Ordinal);
        Assert.Contains("training.batch_size: must be between 1 and 1048576, got 0", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")));
    }

    [Fact]
    public async Task Run_MissingDataDirectory_ExitsTwoNamingTheField()
    {
        var spec = WriteSpec("""{ "apiVersion": "trainingworkers/v1", "name": "nodata", "data": { "train": "no/such/dir" } }""");
        var (code, stdout, _) = await TwProcess.RunAsync(_dir, Timeout, "run", spec, "--output", "json");

        Assert.Equal(2, code);
        using var error = JsonDocument.Parse(stdout);
        Assert.Equal("invalid_input", error.RootElement.GetProperty("error").GetString());
        Assert.Contains("data.train:", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/zero", null, "is not a regular file")]
    [InlineData("/etc/passwd", "/nonexistent-allowed", "is outside the local data locations")]
    public async Task Run_DeviceFileOrDataOutsideTwDataAllow_ExitsTwoNamingTheField(string train, string? allow, string rule)
    {
        var spec = WriteSpec($$"""{ "apiVersion": "trainingworkers/v1", "name": "baddata", "data": { "format": "csv", "train": "{{train}}" } }""");
        var environment = new Dictionary<string, string?> { ["TW_DATA_ALLOW"] = allow };
        var (code, _, stderr) = await TwProcess.RunAsync(_dir, environment, Timeout, "run", spec);

        Assert.Equal(2, code);
        Assert.Contains($"data.train: {train}: {rule}", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/etc/no-such-run")]
    public async Task Run_FineTuneFromOutsideTwDataAllow_ExitsTwoAndSaysTheSameWhetherOrNotItExists(string from)
    {
        var spec = WriteSpec($$"""
            { "apiVersion": "trainingworkers/v1", "name": "steal", "model": { "type": "mlp", "hidden": [8] },
              "data": { "train": "fashion-mnist", "train_limit": 200, "use_test_set": false }, "training": { "epochs": 1 },
              "fine_tune": { "from": "{{from}}" } }
            """);
        var environment = new Dictionary<string, string?> { ["TW_DATA_ALLOW"] = _dir };
        var (code, _, stderr) = await TwProcess.RunAsync(_dir, environment, Timeout, "run", spec);

        Assert.True(code == 2, stderr);
        Assert.Contains($"fine_tune.from: {from}: is outside the local data locations this worker allows", stderr, StringComparison.Ordinal);
    }

    /// <summary>Bad input found only when the run starts: exit 2 with the field named, on the first try, no stack trace.</summary>
    [Theory]
    [InlineData("""{ "type": "torchscript", "path": "/etc/hostname" }""", "{}", "model.path", "is outside the allowed model locations")]
    [InlineData("""{ "type": "mlp", "hidden": [8] }""", """{ "precision": "fp16", "device": "auto", "epochs": 1 }""", "training.precision", "fp16 needs a CUDA device")]
    [InlineData("""{ "type": "mlp", "hidden": [8] }""", """{ "device": "cuda:3", "epochs": 1 }""", "training.device", "is cuda:3, but")]
    public async Task Run_BadInputFoundAtRunTime_ExitsTwoNamingTheField(string model, string training, string field, string rule)
    {
        if (field == "training.device" && TrainingWorkers.Engine.Torch.CudaDeviceCount > 3) return;
        if (field == "training.precision" && TrainingWorkers.Engine.Torch.CudaDeviceCount > 0) return;
        var spec = WriteSpec($$"""
            { "apiVersion": "trainingworkers/v1", "name": "late", "model": {{model}},
              "data": { "train": "fashion-mnist", "train_limit": 200, "use_test_set": false }, "training": {{training}} }
            """);
        var (code, stdout, stderr) = await TwProcess.RunAsync(_dir, Timeout, "run", spec, "--output", "json");

        Assert.True(code == 2, stderr);
        using var error = JsonDocument.Parse(stdout);
        Assert.Equal("invalid_input", error.RootElement.GetProperty("error").GetString());
        Assert.Equal(field, error.RootElement.GetProperty("field").GetString());
        Assert.Contains(rule, error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SpecWithALoneSurrogate_ExitsTwoNamingThePathWithoutAStackTrace()
    {
        var spec = WriteSpec("""{ "apiVersion": "trainingworkers/v1", "name": "x", "data": { "train": "fashion-mnist\ud800" } }""");
        var (code, _, stderr) = await TwProcess.RunAsync(_dir, Timeout, "run", spec);

        Assert.Equal(2, code);
        Assert.Contains("data.train: is not valid Unicode text", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_QuickJobAsJson_PrintsTheReportAndWritesTheRunDirectory()
    {
        var spec = WriteSpec("""
            { "apiVersion": "trainingworkers/v1", "name": "quick",
              "model": { "type": "mlp", "hidden": [64] },
              "data": { "train": "fashion-mnist", "train_limit": 2000, "test_limit": 500 },
              "training": { "epochs": 2, "threads": 2 } }
            """);
        var (code, stdout, stderr) = await TwProcess.RunAsync(_dir, Timeout, "run", spec, "--output", "json");

        Assert.True(code == 0, stderr);
        using var report = JsonDocument.Parse(stdout);
        var root = report.RootElement;
        Assert.Equal("completed", root.GetProperty("stop_reason").GetString());
        Assert.Equal(2, root.GetProperty("epochs_run").GetInt32());
        Assert.InRange(root.GetProperty("test").GetProperty("accuracy").GetDouble(), 0.6, 1.0);
        Assert.Equal(10, root.GetProperty("test").GetProperty("confusion_matrix").GetArrayLength());
        var artifacts = root.GetProperty("artifacts");
        foreach (var name in new[] { "model", "metrics", "learning_curves", "confusion_matrix" })
        {
            Assert.True(File.Exists(artifacts.GetProperty(name).GetString()), name);
        }

        Assert.NotEmpty(Directory.GetDirectories(artifacts.GetProperty("checkpoints").GetString()!));
    }

    [Fact]
    public async Task Run_Terminated_CheckpointsAndExits130()
    {
        var spec = WriteSpec("""
            { "apiVersion": "trainingworkers/v1", "name": "interrupt",
              "data": { "train": "fashion-mnist", "train_limit": 20000, "use_test_set": false },
              "training": { "epochs": 50, "batch_size": 16, "threads": 1 },
              "early_stopping": { "enabled": false } }
            """);
        using var tw = TwProcess.Start(_dir, "run", spec);
        // The first epoch's checkpoint shows training is under way.
        await tw.WaitForFileAsync(Path.Combine(_dir, "runs"), "manifest.json", Timeout);
        // SIGTERM, as a service manager or Ctrl-C's SIGINT would (SIGINT is ignored in background jobs, so tests use TERM).
        await SignalAsync(tw.Id, "TERM");

        Assert.Equal(130, await tw.WaitAsync(Timeout));
        var run = Directory.GetDirectories(Path.Combine(_dir, "runs")).Single();
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json")));
        Assert.Equal("cancelled", report.RootElement.GetProperty("stop_reason").GetString());
        Assert.NotEmpty(Directory.GetDirectories(Path.Combine(run, "checkpoints")));
    }

    /// <summary>A CNN whose stop is slow: it evaluates 5,000 test images after the last step (seconds on CPU).</summary>
    private string SlowStoppingSpec() => WriteSpec("""
        { "apiVersion": "trainingworkers/v1", "name": "slow-stop",
          "model": { "type": "cnn", "conv": [ { "filters": 32 }, { "filters": 64 } ], "hidden": [128] },
          "data": { "train": "fashion-mnist", "train_limit": 2000, "test_limit": 5000 },
          "training": { "epochs": 50, "batch_size": 128, "threads": 1 },
          "early_stopping": { "enabled": false } }
        """);

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    [Fact]
    public async Task Run_TerminatedWithAStopLongerThanTwoSeconds_StillWritesItsReportAndExits130()
    {
        // System.CommandLine ends the process 2 s after the signal unless told otherwise; this stop takes
        // longer on the project's 2-core machine, where this test failed with 143 before tw handled signals itself.
        using var tw = TwProcess.Start(_dir, "run", SlowStoppingSpec(), "--output", "json");
        await tw.WaitForFileAsync(Path.Combine(_dir, "runs"), "manifest.json", Timeout);
        await SignalAsync(tw.Id, "TERM");

        Assert.Equal(130, await tw.WaitAsync(Timeout));
        using var report = JsonDocument.Parse(tw.Stdout);
        Assert.Equal("cancelled", report.RootElement.GetProperty("stop_reason").GetString());
        Assert.Equal(5000, report.RootElement.GetProperty("test").GetProperty("confusion_matrix").EnumerateArray().Sum(row => row.EnumerateArray().Sum(c => c.GetInt32())));
    }

    [Fact]
    public async Task Run_TerminatedTwice_EndsAtOnceWithoutItsReport()
    {
        using var tw = TwProcess.Start(_dir, "run", SlowStoppingSpec(), "--output", "json");
        await tw.WaitForFileAsync(Path.Combine(_dir, "runs"), "manifest.json", Timeout);
        await SignalAsync(tw.Id, "TERM");
        await Task.Delay(300);
        await SignalAsync(tw.Id, "TERM");

        Assert.Equal(143, await tw.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(tw.Stdout);
    }

    [Fact]
    public async Task Resume_AfterSigkillMidEpoch_EndsWithTheSameModelAsAnUninterruptedRun()
    {
        var spec = WriteSpec("""
            { "apiVersion": "trainingworkers/v1", "name": "killed",
              "model": { "type": "mlp", "hidden": [128], "dropout": 0.2 },
              "data": { "train": "fashion-mnist", "train_limit": 6000, "use_test_set": false },
              "training": { "epochs": 3, "batch_size": 32, "threads": 1 },
              "checkpointing": { "every_steps": 25, "keep_last": 3 } }
            """);
        var reference = Path.Combine(_dir, "reference");
        var (code, _, stderr) = await TwProcess.RunAsync(_dir, Timeout, "run", spec, "--run-dir", reference, "--output", "json");
        Assert.True(code == 0, stderr);

        var killed = Path.Combine(_dir, "killed");
        using (var tw = TwProcess.Start(_dir, "run", spec, "--run-dir", killed, "--output", "json"))
        {
            await tw.WaitForFileAsync(killed, "manifest.json", Timeout, count: 3);
            Process.GetProcessById(tw.Id).Kill(); // SIGKILL: no chance to checkpoint
            await tw.WaitAsync(Timeout);
        }

        Assert.False(File.Exists(Path.Combine(killed, "model.pt")));
        (code, var stdout, stderr) = await TwProcess.RunAsync(_dir, Timeout, "run", spec, "--run-dir", killed, "--resume", "--output", "json");
        Assert.True(code == 0, stderr);
        using var report = JsonDocument.Parse(stdout);
        Assert.Equal(3, report.RootElement.GetProperty("epochs_run").GetInt32());
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "model.pt")), File.ReadAllBytes(Path.Combine(killed, "model.pt")));
    }
}
