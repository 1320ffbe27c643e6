using System.Text.Json.Nodes;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Core.Tests.Studies;

public class FineTunePlanTests
{
    [Fact]
    public void Gradual_TwoStages_HeadFreezesAndReplacesTheHead_FullStartsFromTheCheckpointWithALowBackboneRate()
    {
        var r = (FineTuneRequest)StudyRequestParser.Parse(Requests.FineTune("gradual"));
        Assert.Equal([new PlannedStage("head", 3), new PlannedStage("full", 3)], FineTunePlan.Stages(r, FineTuneApproach.Gradual));

        var head = JobSpecParser.Parse(FineTunePlan.StageSpec(r, FineTuneApproach.Gradual, 0, "s3://b/pre/model.pt", "pipe-gradual-head").ToJsonString());
        Assert.Equal(("pipe-gradual-head", 3, "s3://b/pre/model.pt", true, "backbone"), (head.Name, head.Training.Epochs, head.FineTune!.From, head.FineTune.ReplaceHead, head.FineTune.Freeze.Single()));
        Assert.Equal(("val_accuracy", MonitorMode.Max, 1), (head.EarlyStopping!.Monitor, head.EarlyStopping.Mode, head.Checkpointing.EveryEpochs));

        var full = JobSpecParser.Parse(FineTunePlan.StageSpec(r, FineTuneApproach.Gradual, 1, "s3://b/jobs/x/checkpoints/e0002-s000000010/", "pipe-gradual-full").ToJsonString());
        Assert.Equal(("s3://b/jobs/x/checkpoints/e0002-s000000010/", false, 0), (full.FineTune!.From, full.FineTune.ReplaceHead, full.FineTune.Freeze.Count));
        Assert.Equal(0.0002, full.FineTune.BackboneLearningRate!.Value, 12);
    }

    [Fact]
    public void ContinueFreezeEvaluateScratch_EachOneStageWithItsFineTuneSection()
    {
        var r = (FineTuneRequest)StudyRequestParser.Parse(Requests.FineTune("compare", """, "compare": ["continue", "freeze", "evaluate", "scratch"]"""));
        JobSpec Stage(FineTuneApproach a) => JobSpecParser.Parse(FineTunePlan.StageSpec(r, a, 0, "s3://b/m.pt", "n").ToJsonString());

        var cont = Stage(FineTuneApproach.Continue);
        Assert.Equal((6, true, 0), (cont.Training.Epochs, cont.FineTune!.ReplaceHead, cont.FineTune.Freeze.Count));
        Assert.NotNull(cont.FineTune.BackboneLearningRate);
        Assert.Equal((6, 1), (Stage(FineTuneApproach.Freeze).Training.Epochs, Stage(FineTuneApproach.Freeze).FineTune!.Freeze.Count));
        var evaluate = Stage(FineTuneApproach.Evaluate);
        Assert.Equal((0, "s3://b/m.pt", false), (evaluate.Training.Epochs, evaluate.FineTune!.From, evaluate.FineTune.ReplaceHead));
        var scratch = Stage(FineTuneApproach.Scratch);
        Assert.Equal((6, null), (scratch.Training.Epochs, scratch.FineTune));
    }

    [Fact]
    public void EarlyStoppingOffInTheSpec_StagesMonitorWithPatienceOfAllTheirEpochs()
    {
        var r = (FineTuneRequest)StudyRequestParser.Parse(Requests.With(Requests.FineTune("freeze"), "spec.early_stopping", """{ "enabled": false }"""));
        var spec = JobSpecParser.Parse(FineTunePlan.StageSpec(r, FineTuneApproach.Freeze, 0, "s3://b/m.pt", "n").ToJsonString());
        Assert.Equal(("val_accuracy", 6, true), (spec.EarlyStopping!.Monitor, spec.EarlyStopping.Patience, spec.EarlyStopping.RestoreBestWeights));
    }

    [Fact]
    public void TorchScriptBase_ModelIsTheScriptAndTheFirstStageLoadsNoOtherWeights()
    {
        var request = Requests.With(Requests.FineTune("gradual"), "base_model", """{ "torchscript": "s3://b/net.pt" }""");
        request = Requests.With(request, "spec.model", """{ "type": "torchscript", "features_method": "features" }""");
        var r = (FineTuneRequest)StudyRequestParser.Parse(request);
        var head = FineTunePlan.StageSpec(r, FineTuneApproach.Gradual, 0, "s3://b/net.pt", "n");
        Assert.Equal("s3://b/net.pt", head["model"]!["path"]!.GetValue<string>());
        Assert.Null(head["fine_tune"]!["from"]);
        var full = FineTunePlan.StageSpec(r, FineTuneApproach.Gradual, 1, "s3://b/ck/", "n");
        Assert.Equal("s3://b/ck/", full["fine_tune"]!["from"]!.GetValue<string>());
    }

    [Fact]
    public void JobName_LongRequestName_StaysWithinTheSpecsSixtyFourCharacters()
    {
        var name = FineTunePlan.JobName(new string('a', 40), FineTuneApproach.Continue, "full");
        Assert.True(name.Length <= 64, name);
        Assert.True(JobSpecParser.Parse(JsonNode.Parse(Requests.Spec)!.AsObject().Also(o => o["name"] = name).ToJsonString()).Name == name);
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}
