using System.Diagnostics;
using System.Text.Json;
using TrainingWorkers.Tests.Shared;

namespace TrainingWorkers.Cli.Tests;

/// <summary>`tw dataset pack` and `tw run` on webdataset shards: exact resume after SIGKILL, streaming under a memory limit.</summary>
public sealed class WebDatasetRunTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-cli-shards-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> PackAsync(int count, int perShard, int scale = 1)
    {
        var folder = FashionImageFolder.Write(Path.Combine(_dir, "images"), "train", count, "png", scale: scale);
        var shards = Path.Combine(_dir, "shards");
        var (code, stdout, stderr) = await TwProcess.RunAsync(_dir, Timeout, "dataset", "pack", folder, shards, "--samples-per-shard", perShard.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, stderr);
        Assert.Contains($"{count} samples of 10 classes", stdout, StringComparison.Ordinal);
        return shards;
    }

    private string WriteSpec(string name, string data, string training, string extra = "")
    {
        var path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, $$"""
            { "apiVersion": "trainingworkers/v1", "name": "{{name}}", "model": { "type": "mlp", "hidden": [64], "dropout": 0.2 },
              "data": {{data}}, "training": {{training}}{{extra}} }
            """);
        return path;
    }

    [Fact]
    public async Task Pack_SourceThatIsNoImageFolder_ExitsTwo()
    {
        File.WriteAllText(Path.Combine(_dir, "list.csv"), "path,label\nmissing.png,cat\n");
        var (code, _, stderr) = await TwProcess.RunAsync(_dir, Timeout, "dataset", "pack", Path.Combine(_dir, "list.csv"), Path.Combine(_dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains("list.csv:2: no image file 'missing.png'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_ShardedRunAfterSigkillMidEpoch_EndsWithTheSameModelAsAnUninterruptedRun()
    {
        var shards = await PackAsync(6000, perShard: 500);
        var spec = WriteSpec("killed", $$"""{ "format": "webdataset", "train": "{{shards}}", "shuffle_buffer": 500, "augment": { "horizontal_flip": true } }""",
            """{ "epochs": 3, "batch_size": 32, "threads": 1 }""", """, "checkpointing": { "every_steps": 25, "keep_last": 3 }, "early_stopping": { "enabled": false }""");
        var reference = Path.Combine(_dir, "reference");
        var (code, _, stderr) = await TwProcess.RunAsync(_dir, Timeout, "run", spec, "--run-dir", reference, "--output", "json");
        Assert.True(code == 0, stderr);

        var killed = Path.Combine(_dir, "killed");
        using (var tw = TwProcess.Start(_dir, "run", spec, "--run-dir", killed, "--output", "json"))
        {
            // 188 steps an epoch: the third checkpoint (step 75) is in the middle of the first.
            await tw.WaitForFileAsync(killed, "manifest.json", Timeout, count: 3);
            Process.GetProcessById(tw.Id).Kill(); // SIGKILL: no chance to checkpoint
            await tw.WaitAsync(Timeout);
        }

        Assert.False(File.Exists(Path.Combine(killed, "model.pt")));
        (code, var stdout, stderr) = await TwProcess.RunAsync(_dir, Timeout, "run", spec, "--run-dir", killed, "--resume", "--output", "json");
        Assert.True(code == 0, stderr);
        using var report = JsonDocument.Parse(stdout);
        Assert.NotNull(report.RootElement.GetProperty("resumed_from").GetString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "model.pt")), File.ReadAllBytes(Path.Combine(killed, "model.pt")));
    }

    [Fact]
    public async Task Run_ShardsLargerThanTheProcessMemoryLimit_StreamAndTrain()
    {
        // tw run itself trains in less than 16 MiB of managed heap (measured on an IDX job): 24 MiB leaves room for the stream's buffers, not the data.
        const long heapLimit = 24L << 20;
        var shards = await PackAsync(8000, perShard: 1000, scale: 4);
        var bytes = Directory.GetFiles(shards, "*.tar").Sum(f => new FileInfo(f).Length);
        Assert.True(bytes > heapLimit * 3 / 2, $"the shards hold {bytes} bytes; the test needs more than 1.5 x the limit");
        var spec = WriteSpec("streamed", $$"""{ "format": "webdataset", "train": "{{shards}}", "image_size": 28, "shuffle_buffer": 1000 }""",
            """{ "epochs": 1, "batch_size": 64, "threads": 2 }""");
        var environment = new Dictionary<string, string?> { ["DOTNET_GCHeapHardLimit"] = $"0x{heapLimit:x}" };

        var (code, stdout, stderr) = await TwProcess.RunAsync(_dir, environment, Timeout, "run", spec, "--output", "json");

        Assert.True(code == 0, stderr);
        using var report = JsonDocument.Parse(stdout);
        Assert.Equal(8000, report.RootElement.GetProperty("input").GetProperty("images_decoded").GetInt64());
        Assert.True(report.RootElement.GetProperty("history")[0].GetProperty("train_accuracy").GetDouble() > 0.5);
    }
}
