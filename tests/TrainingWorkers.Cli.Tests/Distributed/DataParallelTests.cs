using System.Text.Json;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Cli.Tests.Distributed;

/// <summary>Data-parallel training with real rank processes over Gloo on loopback.</summary>
// Rank processes are CPU-heavy: these tests run one at a time (on a 2-core machine).
[Collection("rank processes")]
public sealed class DataParallelTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-dp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSpec(string name, int batchSize, string extra = "", int epochs = 1, int trainLimit = 6400)
    {
        var path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, $$"""
            { "apiVersion": "trainingworkers/v1", "name": "{{name}}",
              "model": { "type": "mlp", "hidden": [32], "dropout": 0 },
              "data": { "train": "fashion-mnist", "train_limit": {{trainLimit}}, "validation_split": 0, "use_test_set": false },
              "training": { "epochs": {{epochs}}, "batch_size": {{batchSize}}, "threads": 1, "seed": 7 }{{extra}} }
            """);
        return path;
    }

    private static float[] Parameters(string specPath, string modelFile)
    {
        var spec = JobSpecParser.Parse(File.ReadAllText(specPath));
        using var model = Model.Create(ModelBuilder.Build(spec.Model, [1, 28, 28], 10, LossKind.CrossEntropy), "cpu");
        model.LoadState(File.ReadAllBytes(modelFile));
        return model.CopyParameters();
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }

    private static JsonElement Json(string stdout) => JsonDocument.Parse(stdout).RootElement.Clone();

    [Fact]
    public async Task TwoRanksOfBatch64_After50Steps_MatchOneProcessOfBatch128()
    {
        // 6400 examples: 50 steps of a global batch of 128 either way.
        var single = WriteSpec("single", 128);
        var parallel = WriteSpec("parallel", 64);
        var (code1, out1, err1) = await TwProcess.RunAsync(_dir, Timeout, "run", single, "--output", "json");
        Assert.True(code1 == 0, err1);
        var (code2, out2, err2) = await TwProcess.RunAsync(_dir, Timeout, "run", parallel, "--output", "json", "--nproc-per-node", "2",
            "--master-port", LaunchOptions.FreePort().ToString(), "--collective-timeout", "20", "--progress-timeout", "60");
        Assert.True(code2 == 0, err2);

        var launch = Json(out2);
        Assert.Equal("completed", launch.GetProperty("status").GetString());
        Assert.Equal(2, launch.GetProperty("world_size").GetInt32());
        var report = launch.GetProperty("report");
        var a = Parameters(single, Json(out1).GetProperty("artifacts").GetProperty("model").GetString()!);
        var b = Parameters(parallel, report.GetProperty("artifacts").GetProperty("model").GetString()!);
        Assert.True(MaxDifference(a, b) < 1e-5, $"max |difference| {MaxDifference(a, b)}");
        // The run really took 50 optimizer steps: its last checkpoint is at step 50.
        Assert.EndsWith("s000000050", Directory.GetDirectories(report.GetProperty("artifacts").GetProperty("checkpoints").GetString()!).Max()!, StringComparison.Ordinal);
        Assert.True(await RankProcesses.NoneLeftAsync(_dir, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TwoLaunchersWithTwoNodes_FormOneGroupAndTrain()
    {
        var spec = WriteSpec("nodes", 64, trainLimit: 1280);
        var port = LaunchOptions.FreePort().ToString();
        string[] Args(int node) => ["run", spec, "--output", "json", "--nproc-per-node", "1", "--nnodes", "2", "--node-rank", node.ToString(),
            "--master-addr", "127.0.0.1", "--master-port", port, "--collective-timeout", "20", "--progress-timeout", "60",
            "--runs-dir", Path.Combine(_dir, "node" + node)];
        using var node0 = TwProcess.Start(_dir, Args(0));
        using var node1 = TwProcess.Start(_dir, Args(1));
        var code0 = await node0.WaitAsync(Timeout);
        var code1 = await node1.WaitAsync(Timeout);

        Assert.True(code0 == 0, node0.Stderr);
        Assert.True(code1 == 0, node1.Stderr);
        var report0 = Json(node0.Stdout);
        Assert.Equal(2, report0.GetProperty("world_size").GetInt32());
        var report = report0.GetProperty("report");
        Assert.Equal("completed", report.GetProperty("stop_reason").GetString());
        // 1280 examples in global batches of 2 x 64: 10 steps, so both ranks took part in each.
        Assert.EndsWith("s000000010", Directory.GetDirectories(report.GetProperty("artifacts").GetProperty("checkpoints").GetString()!).Max()!, StringComparison.Ordinal);
        // Node 1 ran rank 1 of the same group: its events say so.
        Assert.Contains("\"event\":\"joined\",\"rank\":1", node1.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"event\":\"done\",\"rank\":1", node1.Stderr, StringComparison.Ordinal);
        Assert.True(await RankProcesses.NoneLeftAsync(_dir, TimeSpan.FromSeconds(5)));
    }
}
