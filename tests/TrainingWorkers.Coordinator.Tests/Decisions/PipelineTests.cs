using System.Text.Json.Nodes;
using System.Xml.Linq;
using TrainingWorkers.Coordinator.Tests.Simulation;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tests.Decisions;

/// <summary>The pipeline driver's decisions on the in-memory stores and a simulated fleet.</summary>
public sealed class PipelineTests
{
    private const string Base = "s3://fake/pre/model.pt";

    private static string Request(string approach, string extra = "", string baseModel = $$"""{ "uri": "{{Base}}" }""") => $$"""
        { "apiVersion": "trainingworkers/v1", "kind": "finetune", "name": "pipe", "base_model": {{baseModel}}, "approach": "{{approach}}",
          "monitor": "val_loss", "stages": { "head_epochs": 6, "full_epochs": 3 },
          "spec": { "apiVersion": "trainingworkers/v1", "name": "ft", "model": { "type": "mlp", "hidden": [64] },
                    "data": { "train": "s3://fake/data/", "classes": [5, 6, 7, 8, 9], "validation_split": 0.2 }, "training": { "epochs": 6 } }{{extra}} }
        """;

    // The head stage overfits: its validation loss is lowest at epoch 3 of 6. Other jobs improve every epoch, by their name's rate.
    private static Dictionary<string, double> Curves(JsonObject spec, int epoch)
    {
        var name = spec["name"]!.GetValue<string>();
        var loss = name.EndsWith("-head", StringComparison.Ordinal) ? 1 + Math.Pow(epoch - 3, 2) / 10
            : (name.Contains("scratch", StringComparison.Ordinal) ? 2.0 : name.Contains("continue", StringComparison.Ordinal) ? 1.0 : 0.5) + (1.0 / (epoch + 1));
        return new() { ["val_loss"] = loss, ["val_accuracy"] = 1 / (1 + loss) };
    }

    private static Scenario New()
    {
        var s = new Scenario();
        s.Fleet.Metrics = Curves;
        s.Files.Existing.Add(Base);
        return s;
    }

    [Fact]
    public async Task Gradual_SecondStageStartsFromTheFirstStagesBestCheckpoint_NotItsLast()
    {
        using var s = New();
        await s.SubmitAsync(Request("gradual"));

        var study = await s.RunAsync(s.Coordinator("c1"));

        Assert.Equal(StudyStatus.Succeeded, study.Status);
        var head = (await s.StateAsync()).Branches.Single().Stages[0];
        var checkpoints = await s.Files.CheckpointsOf(head.JobId).ListAsync(CancellationToken.None);
        Assert.Equal(6, checkpoints[^1].Epoch);
        var best = checkpoints.MinBy(c => c.Metrics["val_loss"])!;
        Assert.Equal((3, best.Id), (head.BestEpoch, head.BestCheckpoint));
        var full = JsonNode.Parse((await s.Jobs.GetAsync("s1-gradual-full", CancellationToken.None))!.SpecJson)!;
        Assert.Equal($"s3://fake/jobs/s1-gradual-head/checkpoints/{best.Id}/", full["fine_tune"]!["from"]!.GetValue<string>());
        Assert.False(full["fine_tune"]!["replace_head"]!.GetValue<bool>());
        var first = JsonNode.Parse((await s.Jobs.GetAsync("s1-gradual-head", CancellationToken.None))!.SpecJson)!;
        Assert.Equal(Base, first["fine_tune"]!["from"]!.GetValue<string>());
    }

    [Fact]
    public async Task Compare_RanksTheApproachesOnValidation_WinnersModelAndAReportWithAPicture()
    {
        using var s = New();
        await s.SubmitAsync(Request("compare"));

        var study = await s.RunAsync(s.Coordinator("c1"));

        Assert.Equal(StudyStatus.Succeeded, study.Status);
        var branches = (await s.StateAsync()).Branches;
        Assert.Equal(["gradual", "freeze", "continue", "scratch"], branches.OrderBy(b => b.Rank).Select(b => b.Approach));
        Assert.True(branches.OrderBy(b => b.Rank).Select(b => b.Score!.Value).SequenceEqual(branches.Select(b => b.Score!.Value).Order()));
        var result = StudyJson.Read<StudyResult>(study.ResultJson);
        Assert.Equal(("gradual", "s3://fake/jobs/s1-gradual-full/model/model.pt", "val_loss", false), (result.Best, result.ModelUri, result.Metric, result.HigherIsBetter));
        var svg = XDocument.Parse(System.Text.Encoding.UTF8.GetString(s.Files.Written[result.Pictures.Single()]));
        var legend = svg.Descendants().Single(e => (string?)e.Attribute("class") == "legend").Elements().Select(e => e.Value).ToList();
        Assert.Equal(4, legend.Count);
        Assert.Contains(legend, l => l.Contains("#1 gradual", StringComparison.Ordinal));
        var report = JsonNode.Parse(s.Files.Written[result.ReportUri!])!;
        Assert.Equal("gradual", report["winner"]!.GetValue<string>());
    }

    [Fact]
    public async Task StageFailsForBadInput_PipelineFailsAtOnce_OtherRunningJobsAreCancelled()
    {
        using var s = New();
        s.Fleet.Metrics = (spec, e) => spec["name"]!.GetValue<string>().Contains("freeze", StringComparison.Ordinal) ? new() { ["fail"] = 1 } : Curves(spec, e);
        await s.SubmitAsync(Request("compare", """, "compare": ["freeze", "continue"]"""));

        var study = await s.RunAsync(s.Coordinator("c1"));
        await s.Fleet.TickAsync(); // the workers stop what was cancelled

        Assert.Equal(StudyStatus.Failed, study.Status);
        Assert.StartsWith("invalid_input: the freeze approach's head stage (job s1-freeze-head) failed for bad input", study.Error, StringComparison.Ordinal);
        var other = (await s.Jobs.GetAsync("s1-continue-full", CancellationToken.None))!;
        Assert.Equal(JobStatus.Cancelled, other.Status);
        Assert.True((await s.Jobs.GetEpochsAsync("s1-continue-full", CancellationToken.None)).Count < 3, "the other approach ran to its end");
    }

    [Fact]
    public async Task BaseModelJobThatFailed_FailsTheStudyAtOnceNamingTheField_NoJobStarted()
    {
        using var s = New();
        await s.Jobs.CreateAsync("pre-x", "{}", CancellationToken.None);
        var lease = (await s.Jobs.TryClaimAsync("pre-x", "w", TimeSpan.FromMinutes(1), CancellationToken.None))!;
        await s.Jobs.FinishAsync(lease, JobStatus.Failed, new JobOutcome { Error = "crashed: boom" }, CancellationToken.None);
        // Recorded directly: tw finetune would have refused it already.
        await s.Studies.CreateAsync("s1", StudyKinds.FineTune, "pipe", Request("freeze", baseModel: """{ "job": "pre-x" }"""), CancellationToken.None);

        var study = await s.RunAsync(s.Coordinator("c1"));

        Assert.Equal(StudyStatus.Failed, study.Status);
        Assert.StartsWith("invalid_input: base_model.job: job 'pre-x' is Failed", study.Error, StringComparison.Ordinal);
        Assert.Single(await s.Jobs.ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task BaseModelUriWithNothingThere_FailsTheStudyAtOnce()
    {
        using var s = New();
        await s.SubmitAsync(Request("continue", baseModel: """{ "uri": "s3://elsewhere/none.pt" }"""));

        var study = await s.RunAsync(s.Coordinator("c1"));

        Assert.Equal("invalid_input: base_model.uri: s3://elsewhere/none.pt: nothing is there (or the coordinator may not read it)", study.Error);
    }

    [Fact]
    public async Task Cancelled_RunningJobsAreCancelled_StudyEndsCancelled()
    {
        using var s = New();
        await s.SubmitAsync(Request("compare", """, "compare": ["freeze", "continue"]"""));
        var coordinator = s.Coordinator("c1");
        for (var i = 0; i < 3; i++)
        {
            await coordinator();
            await s.Fleet.TickAsync();
        }

        Assert.Equal(2, s.Fleet.Running.Count);
        Assert.Equal(StudyStatus.Running, await s.Studies.RequestCancelAsync("s1", CancellationToken.None));
        var study = await s.RunAsync(coordinator);
        await s.Fleet.TickAsync(); // the workers stop what was cancelled

        Assert.Equal((StudyStatus.Cancelled, "cancelled by request"), (study.Status, study.Error));
        foreach (var id in new[] { "s1-freeze-head", "s1-continue-full" }) Assert.Equal(JobStatus.Cancelled, (await s.Jobs.GetAsync(id, CancellationToken.None))!.Status);
        Assert.Empty(s.Fleet.Running);
    }
}
