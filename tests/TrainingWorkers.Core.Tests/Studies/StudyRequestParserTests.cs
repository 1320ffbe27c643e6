using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Core.Tests.Studies;

public class StudyRequestParserTests
{
    [Fact]
    public void Parse_GradualRequest_ReadsEveryFieldAndValidatesItsStages()
    {
        var r = Assert.IsType<FineTuneRequest>(StudyRequestParser.Parse(Requests.FineTune(extra: """, "stages": { "head_epochs": 2, "full_epochs": 4, "freeze": ["backbone.0.*"] }""")));
        Assert.Equal(("pipe", FineTuneApproach.Gradual, "pre-1", "val_accuracy", true), (r.Name, r.Approach, r.BaseModel.Job, r.Monitor, r.HigherIsBetter));
        Assert.Equal((2, 4, "backbone.0.*"), (r.Stages.HeadEpochs, r.Stages.FullEpochs, r.Stages.Freeze.Single()));
        Assert.Equal([5, 6, 7, 8, 9], r.ParsedSpec.Data.Classes);
    }

    [Fact]
    public void Parse_CompareWithoutList_RunsContinueFreezeGradualAndTheScratchBaseline()
    {
        var r = (FineTuneRequest)StudyRequestParser.Parse(Requests.FineTune("compare"));
        Assert.Equal([FineTuneApproach.Continue, FineTuneApproach.Freeze, FineTuneApproach.Gradual, FineTuneApproach.Scratch], FineTunePlan.Approaches(r));
    }

    [Fact]
    public void Parse_BadFineTune_ListsEveryErrorWithItsField()
    {
        var request = Requests.With(Requests.FineTune("compare"), "base_model", """{ "job": "pre-1", "uri": "s3://b/m.pt" }""");
        request = Requests.With(request, "monitor", "\"train_loss\"");
        request = Requests.With(request, "compare", """["continue", "continue", "sideways"]""");
        request = Requests.With(request, "spec.fine_tune", """{ "from": "x" }""");
        request = Requests.With(request, "spec.training.learning_rate", "-1");
        request = Requests.With(request, "stages", """{ "head_epochs": 0, "surplus": 1 }""");

        var e = Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(request));

        var errors = e.Errors.Select(x => x.ToString()).ToList();
        Assert.Contains("base_model: must name exactly one of job, uri or torchscript, got 2", errors);
        Assert.Contains(errors, x => x.StartsWith("monitor: must be a validation metric (val_...)", StringComparison.Ordinal));
        Assert.Contains("compare[1]: \"continue\" is listed twice", errors);
        Assert.Contains(errors, x => x.StartsWith("compare[2]: must be one of continue, freeze, gradual, evaluate, scratch", StringComparison.Ordinal));
        Assert.Contains("stages.head_epochs: must be between 1 and 100000, got 0", errors);
        Assert.Contains("stages.surplus: unknown field", errors);
    }

    [Fact]
    public void Parse_SpecWithFineTuneOrBadField_IsRefusedNamingTheSpecPath()
    {
        var fineTune = Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(Requests.With(Requests.FineTune(), "spec.fine_tune", """{ "from": "x" }""")));
        Assert.Contains(fineTune.Errors, x => x.Path == "spec.fine_tune" && x.Message.Contains("set by the pipeline", StringComparison.Ordinal));
        var rate = Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(Requests.With(Requests.FineTune(), "spec.training.learning_rate", "-1")));
        Assert.Contains(rate.Errors, x => x.Path == "spec.training.learning_rate" && x.Message.StartsWith("must be > 0, got -1", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RequestOfTheOtherKind_NamesTheCommandToUse()
    {
        var e = Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(Requests.Tune(), "finetune"));
        Assert.Contains("kind: is \"tune\": submit it with `tw tune`, not `tw finetune`", e.Errors.Select(x => x.ToString()));
    }

    [Fact]
    public void Parse_TuneRequest_ReadsSpaceBudgetSearchAndStopping()
    {
        var r = (TuneRequest)StudyRequestParser.Parse(Requests.Tune(""", "search": { "method": "tpe", "seed": 9, "startup_trials": 3 }, "stopping": { "rule": "asha", "reduction_factor": 2 }"""));
        Assert.Equal(["training.learning_rate", "model.hidden[0]"], r.SearchSpace.Select(p => p.Name));
        Assert.Equal((Distribution.LogUniform, 0.0001, 0.1), (r.SearchSpace[0].Distribution, r.SearchSpace[0].Low, r.SearchSpace[0].High));
        Assert.Equal((8, 2, SearchMethod.Tpe, 9UL, 3, StoppingRule.Asha, 2, 4), (r.Trials, r.Parallel, r.Search.Method, r.Search.Seed, r.Search.StartupTrials, r.Stopping.Rule, r.Stopping.ReductionFactor, r.MaxFailedTrials));
        Assert.Equal(new Objective("val_accuracy", true), r.Objective);
    }

    [Fact]
    public void Parse_SearchSpaceTheSpecCannotTake_ListsEachParameterWithTheValueAndTheSpecsRule()
    {
        var request = Requests.With(Requests.Tune(), "search_space", """
            { "model.dropout": { "uniform": [0.1, 1.5] }, "training.batch_size": { "uniform": [8, 64] }, "model.hidden[3]": { "int": [1, 9] },
              "training.epochs": { "choice": [3, "three"] }, "model..x": { "int": [1, 2] }, "training.seed": { "int": [1, 9], "step": 5 },
              "training.weight_decay": { "log_uniform": [0, 0.1] }, "model.activation": { "choice": ["relu"], "uniform": [0, 1] } }
            """);

        var errors = Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(request)).Errors.Select(x => x.ToString()).ToList();

        Assert.Contains("search_space.model.dropout = 1.5: spec.model.dropout: must be >= 0 and < 1, got 1.5", errors);
        Assert.Contains(errors, x => x.StartsWith("search_space.training.batch_size = 25.8", StringComparison.Ordinal) && x.EndsWith("must be an integer, got 25.82535362629228", StringComparison.Ordinal));
        Assert.Contains("search_space.model.hidden[3]: cannot be set in the spec: 'hidden' has no element [3]", errors);
        Assert.Contains("search_space.training.epochs = \"three\": spec.training.epochs: must be an integer, got the string \"three\"", errors);
        Assert.Contains(errors, x => x.StartsWith("search_space.model..x: is not a spec path", StringComparison.Ordinal));
        Assert.Contains("search_space.training.seed.step: must divide high - low (8), got 5", errors);
        Assert.Contains("search_space.training.weight_decay.log_uniform: needs a lower bound > 0 (its logarithm is drawn), got 0", errors);
        Assert.Contains("search_space.model.activation.uniform: give exactly one of choice, uniform, log_uniform, int", errors);
    }

    [Fact]
    public void Parse_BadBudgetObjectiveAndRules_ListsEveryError()
    {
        var request = Requests.With(Requests.Tune(""", "stopping": { "rule": "asha", "min_epochs": 6, "min_trials": 2 }, "warm_start": { "study": "bad id" }"""), "trials", "0");
        request = Requests.With(request, "objective", """{ "metric": "val_rmse" }""");

        var errors = Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(request)).Errors.Select(x => x.ToString()).ToList();

        Assert.Contains(errors, x => x.StartsWith("objective.metric: must be a per-epoch metric of this task", StringComparison.Ordinal));
        Assert.Contains("trials: must be between 1 and 1000, got 0", errors);
        Assert.Contains("stopping.min_trials: applies to the median rule only", errors);
        Assert.Contains(errors, x => x.StartsWith("stopping.min_epochs: the first rung (epoch 6) must come before the trials' last epoch (training.epochs 6)", StringComparison.Ordinal));
        Assert.Contains(errors, x => x.StartsWith("warm_start.study: must be a study id", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_GridOverARealParameterOrMoreTrialsThanPoints_IsRefused()
    {
        var grid = Requests.Tune(""", "search": { "method": "grid" }""");
        Assert.Contains(Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(grid)).Errors,
            x => x.Path == "search_space.training.learning_rate" && x.Message.StartsWith("grid search walks choice and int parameters only", StringComparison.Ordinal));
        var small = Requests.With(grid, "search_space", """{ "training.optimizer": { "choice": ["sgd", "adam"] } }""");
        Assert.Contains("trials: must be at most the grid's 2 points, got 8", Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(small)).Errors.Select(x => x.ToString()));
        var all = (TuneRequest)StudyRequestParser.Parse(Requests.With(Requests.With(small, "trials", null), "parallel", "1"));
        Assert.Equal(2, all.Trials);
    }

    [Fact]
    public void Parse_SweepOverAPipelineStage_BuildsTheStagesSpecAndChecksTheSpaceAgainstIt()
    {
        var request = Requests.With(Requests.Tune(), "finetune", """{ "base_model": { "uri": "s3://b/pre/model.pt" }, "approach": "gradual", "stage": "full" }""");
        request = Requests.With(request, "search_space", """{ "fine_tune.backbone_learning_rate": { "log_uniform": [0.00001, 0.001] } }""");
        var r = (TuneRequest)StudyRequestParser.Parse(request);
        Assert.Equal((FineTuneApproach.Gradual, 1), (r.Stage!.Pipeline.Approach, r.Stage.Stage));
        Assert.Equal("val_accuracy", r.Stage.Pipeline.Monitor);

        var badStage = Requests.With(request, "finetune.stage", "\"middle\"");
        Assert.Contains("finetune.stage: must be one of head, full (the gradual approach's stages), got \"middle\"",
            Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(badStage)).Errors.Select(x => x.ToString()));
    }

    [Fact]
    public void Parse_NotJsonOrNotAnObjectOrDuplicateField_IsRefusedWithoutThrowingAnythingElse()
    {
        Assert.Equal("$", Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse("{")).Errors.Single().Path);
        Assert.Equal("$", Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse("[]")).Errors.Single().Path);
        var twice = Requests.Tune().Replace("\"trials\": 8", "\"trials\": 8, \"trials\": 9", StringComparison.Ordinal);
        Assert.Contains(Assert.Throws<InvalidRequestException>(() => StudyRequestParser.Parse(twice)).Errors, x => x.Path == "trials" && x.Message.Contains("twice", StringComparison.Ordinal));
    }
}
