using System.Net;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Coordinator.Tests.EndToEnd;

/// <summary>The coordinator as a service: its configuration checked with every error, its health endpoints, a graceful stop.</summary>
[Collection(StudyFleetCollection.Name)]
public sealed class CoordinatorHostTests(MotoFixture moto)
{
    [Fact]
    public async Task BadConfiguration_ExitsTwoListingEveryError()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        var coordinator = f.StartCoordinator("bad", new Dictionary<string, string?>
        {
            ["TW_Coordinator__LeaseDuration"] = "00:00:01", ["TW_Coordinator__MaxStudies"] = "0", ["TW_Aws__Queue__QueueUrl"] = null, ["TW_Aws__S3__Bucket"] = null,
        });

        Assert.Equal(2, await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("tw-coordinator: invalid configuration:", coordinator.Log, StringComparison.Ordinal);
        Assert.Contains("Coordinator:LeaseDuration: must be between 00:00:03 and 01:00:00, got 00:00:01", coordinator.Log, StringComparison.Ordinal);
        Assert.Contains("Coordinator:MaxStudies: must be between 1 and 1000, got 0", coordinator.Log, StringComparison.Ordinal);
        Assert.Contains("Aws:Queue:QueueUrl: must be set", coordinator.Log, StringComparison.Ordinal);
        Assert.Contains("Aws:S3:Bucket: must be set", coordinator.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_HealthEndpointsAnswer_Sigterm_ReleasesItsStudyForAnotherCoordinatorAndExitsZero()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        var port = MotoServer.FreePort();
        var coordinator = f.StartCoordinator("coord-a", new Dictionary<string, string?> { ["TW_Coordinator__HealthPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        // A sweep no worker takes: it stays Running with its first trials queued.
        var request = f.File("sweep.json", $$"""
            { "apiVersion": "trainingworkers/v1", "kind": "tune", "name": "idle", "objective": { "metric": "val_accuracy" },
              "spec": { "apiVersion": "trainingworkers/v1", "name": "t", "data": { "train": "{{f.Fleet.DataUri}}" } },
              "search_space": { "training.learning_rate": { "log_uniform": [0.0001, 0.1] } }, "trials": 4, "parallel": 2 }
            """);
        Assert.Equal(0, (await f.TwAsync(TimeSpan.FromMinutes(1), "tune", request, "--study-id", "h1")).ExitCode);
        await f.WaitForStudyAsync("h1", s => s.LeaseOwner == "coord-a" && s.StateJson is not null, TimeSpan.FromMinutes(1), "claimed");

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"))).StatusCode);
        // The count is taken at the end of the turn that claimed the study, which may still be submitting its trials.
        var ready = "";
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(30) && !ready.Contains("\"held_studies\":1", StringComparison.Ordinal);)
        {
            await Task.Delay(200);
            ready = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
        }

        Assert.Contains("\"held_studies\":1", ready, StringComparison.Ordinal);

        coordinator.Terminate();
        Assert.Equal(0, await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var history = await f.Studies.GetHistoryAsync("h1", CancellationToken.None);
        Assert.Equal("released: the coordinator stopped", history[^1].Reason);
        // Released, not run out: another coordinator claims it at its first turn, well within the 5-second lease.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        f.StartCoordinator("coord-b");
        await f.WaitForStudyAsync("h1", s => s.LeaseOwner == "coord-b", TimeSpan.FromMinutes(1), "taken over by coord-b");
        Assert.Contains(await f.Studies.GetHistoryAsync("h1", CancellationToken.None), h => h.OwnerId == "coord-b" && h.Reason == "lease taken over from coord-a");
        Assert.Equal(2, (await f.Jobs.ListAsync(10, CancellationToken.None)).Count);
        Assert.Equal(StudyStatus.Running, (await f.Studies.GetAsync("h1", CancellationToken.None))!.Status);
    }
}
