using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Tests.Fleet;

/// <summary><c>tw status</c> of a multi-node job: every node of its gang, its worker and its lease, as JSON and as text.</summary>
[Collection(FleetCollection.Name)]
public sealed class GangStatusTests(MotoFixture moto) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-gang-").FullName;
    private readonly string _prefix = "g" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Status_MultiNodeJob_ShowsEveryNodeWithItsWorkerAndLease()
    {
        var (created, _, createError) = await Tw("env", "create", "test", "--endpoint-url", moto.Url.ToString(), "--prefix", _prefix);
        Assert.True(created == 0, createError);
        var env = JsonNode.Parse(File.ReadAllText(EnvironmentsFile))!["environments"]!["test"]!;
        var spec = Path.Combine(_dir, "gang.json");
        await File.WriteAllTextAsync(spec, """{ "apiVersion": "trainingworkers/v1", "name": "wide", "data": { "train": "fashion-mnist" }, "resources": { "nodes": 3 } }""");
        var (submitted, _, submitError) = await Tw("submit", spec, "--job-id", "wide");
        Assert.True(submitted == 0, submitError);

        await using var services = moto.Services(env["queue_url"]!.GetValue<string>(), env["table"]!.GetValue<string>());
        var registry = services.GetRequiredService<IWorkerRegistry>();
        foreach (var w in new[] { "w0", "w1", "w2" })
        {
            await registry.RegisterAsync(new WorkerRegistration { WorkerId = w, Address = "10.0.0.9", Slots = 1, HeartbeatAt = DateTimeOffset.UtcNow }, CancellationToken.None);
        }

        var gangs = services.GetRequiredService<IGangStore>();
        var record = (await services.GetRequiredService<IJobStore>().GetAsync("wide", CancellationToken.None))!;
        var formed = await gangs.TryFormAsync(record, new Gang
        {
            FencingToken = 0, Members = ["w0", "w1", "w2"], ProcessesPerNode = 4, MasterAddress = "10.0.0.9", MasterPort = 29500, FormedAt = DateTimeOffset.UtcNow,
        }, Lease, TimeSpan.FromMinutes(1), CancellationToken.None);
        var node1 = (await gangs.JoinAsync("wide", 1, "w1", formed.Gang!.FencingToken, Lease, CancellationToken.None))!;
        await gangs.EndAsync(node1, "crashed: rank 4: Connection reset by peer", CancellationToken.None);

        var (code, stdout, stderr) = await Tw("status", "wide", "-o", "json");
        var (textCode, text, _) = await Tw("status", "wide");

        Assert.True(code == 0, stderr);
        var status = JsonNode.Parse(stdout)!;
        Assert.Equal(["w0", "w1", "w2"], status["gang"]!["members"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(12, status["gang"]!["world_size"]!.GetValue<int>());
        var nodes = status["nodes"]!.AsArray();
        Assert.Equal(["running", "failed", "not joined yet"], nodes.Select(n => n!["state"]!.GetValue<string>()));
        Assert.Equal("crashed: rank 4: Connection reset by peer", nodes[1]!["error"]!.GetValue<string>());
        Assert.Equal(0, textCode);
        Assert.Contains("gang: 3 nodes x 4 rank(s), rendezvous 10.0.0.9:29500", text, StringComparison.Ordinal);
        Assert.Contains("not joined yet", text, StringComparison.Ordinal);
    }

    private string EnvironmentsFile => Path.Combine(_dir, "config", "environments.json");

    private Task<(int ExitCode, string Stdout, string Stderr)> Tw(params string[] args) =>
        TwProcess.RunAsync(_dir, MotoFixture.TwEnvironment(EnvironmentsFile), Timeout, args);
}
