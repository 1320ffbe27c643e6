namespace TrainingWorkers.Coordinator.Tests.EndToEnd;

/// <summary>`tw finetune`, `tw tune` and `tw study` refusing bad input: exit 2, every error named, nothing recorded.</summary>
[Collection(StudyFleetCollection.Name)]
public sealed class StudyCommandTests(MotoFixture moto)
{
    [Fact]
    public async Task TuneBadRequest_ExitsTwoListingEveryError_NothingRecorded()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        var request = f.File("bad.json", """
            { "apiVersion": "trainingworkers/v1", "kind": "tune", "name": "bad sweep", "objective": { "metric": "val_acc" },
              "spec": { "apiVersion": "trainingworkers/v1", "name": "t", "data": { "train": "fashion-mnist" }, "training": { "epochs": 3 } },
              "search_space": { "model.dropout": { "uniform": [0.1, 1.5] } }, "trials": 0, "surplus": 1 }
            """);

        var (code, stdout, log) = await f.TwAsync(TimeSpan.FromMinutes(1), "tune", request, "-o", "json");

        Assert.Equal(2, code);
        var errors = StudyFleet.Json(stdout)["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Equal("invalid_request", StudyFleet.Json(stdout)["error"]!.GetValue<string>());
        Assert.Contains(errors, e => e.StartsWith("name: must be 1-40 letters", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("objective.metric: must be a per-epoch metric", StringComparison.Ordinal));
        Assert.Contains("search_space.model.dropout = 1.5: spec.model.dropout: must be >= 0 and < 1, got 1.5", errors);
        Assert.Contains("trials: must be between 1 and 1000, got 0", errors);
        Assert.Contains("surplus: unknown field", errors);
        Assert.Empty(await f.Studies.ListAsync(10, CancellationToken.None));
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinetuneFromAJobThatDoesNotExist_ExitsTwoNamingTheField_WrongKindNamesTheCommand_UnknownStudyExitsTwo()
    {
        await using var f = await StudyFleet.CreateAsync(moto.Server);
        var request = f.File("ft.json", """
            { "apiVersion": "trainingworkers/v1", "kind": "finetune", "name": "ft", "base_model": { "job": "nobody" }, "approach": "freeze",
              "spec": { "apiVersion": "trainingworkers/v1", "name": "t", "data": { "train": "fashion-mnist" } } }
            """);

        var missing = await f.TwAsync(TimeSpan.FromMinutes(1), "finetune", request);
        var wrongKind = await f.TwAsync(TimeSpan.FromMinutes(1), "tune", request);
        var unknown = await f.TwAsync(TimeSpan.FromMinutes(1), "study", "status", "nothing-here");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("tw finetune: ft.json: base_model.job: job 'nobody' does not exist", missing.Log, StringComparison.Ordinal);
        Assert.Equal(2, wrongKind.ExitCode);
        Assert.Contains("kind: is \"finetune\": submit it with `tw finetune`, not `tw tune`", wrongKind.Log, StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains($"no study 'nothing-here' in table {f.Fleet.Table}", unknown.Log, StringComparison.Ordinal);
        Assert.Empty(await f.Studies.ListAsync(10, CancellationToken.None));
    }
}
