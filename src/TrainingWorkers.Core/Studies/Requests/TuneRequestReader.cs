using System.Text.Json.Nodes;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>Reads a tune request: the objective, the search space (checked against the base spec), the budget, the search and the stopping rule.</summary>
internal static class TuneRequestReader
{
    public static TuneRequest? Read(SpecReader root, string name, JsonObject? spec, List<SpecError> errors)
    {
        var before = errors.Count;
        var objective = ReadObjective(root);
        StageTarget? stage = null;
        if (spec is not null && objective is not null) stage = ReadStage(root, name, spec, objective, errors);
        else _ = root.Raw("finetune"); // read once the spec and objective are valid: their errors come first
        JsonObject? baseSpec = null;
        JobSpec? parsed = null;
        if (stage is not null)
        {
            var planned = FineTunePlan.Stages(stage.Pipeline, stage.Pipeline.Approach)[stage.Stage];
            var from = stage.Stage == 0 ? FineTuneRequestReader.PlaceholderModel : FineTuneRequestReader.PlaceholderCheckpoint;
            baseSpec = FineTunePlan.StageSpec(stage.Pipeline, stage.Pipeline.Approach, stage.Stage, from, FineTunePlan.JobName(name, stage.Pipeline.Approach, planned.Name));
            parsed = stage.Pipeline.ParsedSpec;
        }
        else if (spec is not null && !root.Has("finetune"))
        {
            baseSpec = spec;
            parsed = StudyRequestParser.ParseSpec(spec, "spec", null, errors);
        }

        if (parsed is not null && objective is not null && StudyRequestParser.CheckEpochMetric(objective.Metric, parsed) is { } metricError)
        {
            errors.Add(new SpecError("objective.metric", metricError));
        }

        var space = SearchSpaceReader.Read(root, parsed is null ? null : baseSpec, errors);
        var search = ReadSearch(root.Object("search"));
        var gridSize = search.Method == SearchMethod.Grid && space is not null ? GridSize(root, space) : null;
        var trials = root.Int("trials", (int)Math.Min(gridSize ?? 10, 1000), v => v is >= 1 and <= 1000, "must be between 1 and 1000");
        if (gridSize is { } size && trials > size) root.Error("trials", $"must be at most the grid's {size} points, got {trials}");
        var parallel = root.Int("parallel", 1, v => v is >= 1 and <= 64, "must be between 1 and 64");
        if (parallel > trials) root.Error("parallel", $"must be at most trials ({trials}), got {parallel}");
        var stopping = ReadStopping(root.Object("stopping"), parsed?.Training.Epochs);
        var maxFailed = root.Int("max_failed_trials", (trials + 1) / 2, v => v >= 0 && v <= trials, $"must be between 0 and trials ({trials})");
        var warm = root.Object("warm_start") is { } w ? ReadWarmStart(w) : null;
        if (errors.Count > before || objective is null || space is null || baseSpec is null || parsed is null) return null;
        return new TuneRequest
        {
            Name = name, Spec = baseSpec, ParsedSpec = parsed, Objective = objective, SearchSpace = space, Trials = trials, Parallel = parallel,
            Search = search, Stopping = stopping, MaxFailedTrials = maxFailed, WarmStart = warm, Stage = stage,
        };
    }

    private static Objective? ReadObjective(SpecReader root)
    {
        var r = root.Object("objective");
        if (r is null)
        {
            if (!root.Has("objective")) root.Error("objective", "is required: {\"metric\": \"val_accuracy\", \"mode\": \"max\"}");
            return null;
        }

        var metric = r.String("metric", null);
        if (metric is null) r.Error("metric", "is required: a per-epoch metric such as val_accuracy or val_loss");
        var mode = r.Enum("mode", MonitorMode.Auto);
        r.RejectUnknownFields();
        return metric is null ? null : new Objective(metric, mode == MonitorMode.Max || (mode == MonitorMode.Auto && MetricNames.HigherIsBetter(metric)));
    }

    // "finetune": the sweep runs one stage of a pipeline; the stages before it run once first.
    private static StageTarget? ReadStage(SpecReader root, string name, JsonObject spec, Objective objective, List<SpecError> errors)
    {
        var r = root.Object("finetune");
        if (r is null) return null;
        var baseModel = FineTuneRequestReader.ReadBaseModel(r);
        var approach = FineTuneRequestReader.ReadApproach(r, [FineTuneApproach.Continue, FineTuneApproach.Freeze, FineTuneApproach.Gradual]);
        var stageName = r.String("stage", null);
        var stages = FineTuneRequestReader.ReadStages(r.Object("stages"));
        r.RejectUnknownFields();
        if (baseModel is null || approach is null) return null;
        var pipeline = FineTuneRequestReader.Build(name, spec, baseModel, approach.Value, [], objective.Metric, objective.HigherIsBetter, stages, "objective.metric", errors);
        if (pipeline is null) return null;
        var names = FineTunePlan.Stages(pipeline, approach.Value).Select(s => s.Name).ToList();
        var index = stageName is null ? names.Count - 1 : names.IndexOf(stageName);
        if (index >= 0) return new StageTarget(pipeline, index);
        r.Error("stage", $"must be one of {string.Join(", ", names)} (the {SpecReader.SnakeCase(approach.Value)} approach's stages), got \"{stageName}\"");
        return null;
    }

    private static SearchOptions ReadSearch(SpecReader? r)
    {
        var defaults = new SearchOptions();
        if (r is null) return defaults;
        var method = r.Enum("method", defaults.Method);
        var options = new SearchOptions
        {
            Method = method,
            Seed = r.ULong("seed", defaults.Seed),
            StartupTrials = r.Int("startup_trials", defaults.StartupTrials, v => v is >= 0 and <= 1000, "must be between 0 and 1000"),
            Candidates = r.Int("candidates", defaults.Candidates, v => v is >= 1 and <= 1000, "must be between 1 and 1000"),
        };
        if (method != SearchMethod.Tpe)
        {
            r.Forbid("startup_trials", "applies to the tpe method only");
            r.Forbid("candidates", "applies to the tpe method only");
        }

        r.RejectUnknownFields();
        return options;
    }

    private static long? GridSize(SpecReader root, IReadOnlyList<SearchParameter> space)
    {
        var real = space.Where(p => p.Distribution is Distribution.Uniform or Distribution.LogUniform).ToList();
        foreach (var p in real) root.Error($"search_space.{p.Name}", "grid search walks choice and int parameters only: give this one as a choice");
        if (real.Count > 0) return null;
        return space.Aggregate(1L, (n, p) => Math.Min(n * p.GridValues().Count, 1_000_000));
    }

    private static StoppingOptions ReadStopping(SpecReader? r, int? epochs)
    {
        var defaults = new StoppingOptions();
        if (r is null) return defaults;
        var rule = r.Enum("rule", StoppingRule.None);
        if (rule != StoppingRule.Median) foreach (var f in new[] { "min_trials", "warmup_epochs" }) r.Forbid(f, "applies to the median rule only");
        if (rule != StoppingRule.Asha) foreach (var f in new[] { "min_epochs", "reduction_factor", "min_early_stopping_rate" }) r.Forbid(f, "applies to the asha rule only");
        var options = new StoppingOptions
        {
            Rule = rule,
            MinTrials = r.Int("min_trials", defaults.MinTrials, v => v is >= 1 and <= 1000, "must be between 1 and 1000"),
            WarmupEpochs = r.Int("warmup_epochs", defaults.WarmupEpochs, v => v >= 0, "must be >= 0"),
            MinEpochs = r.Int("min_epochs", defaults.MinEpochs, v => v >= 1, "must be >= 1"),
            ReductionFactor = r.Int("reduction_factor", defaults.ReductionFactor, v => v is >= 2 and <= 100, "must be between 2 and 100"),
            MinEarlyStoppingRate = r.Int("min_early_stopping_rate", defaults.MinEarlyStoppingRate, v => v is >= 0 and <= 10, "must be between 0 and 10"),
        };
        r.RejectUnknownFields();
        if (epochs is not { } last) return options;
        var firstRung = options.MinEpochs * Math.Pow(options.ReductionFactor, options.MinEarlyStoppingRate);
        if (rule == StoppingRule.Asha && firstRung >= last)
        {
            r.Error("min_epochs", $"the first rung (epoch {firstRung}) must come before the trials' last epoch (training.epochs {last}), or no trial is ever stopped");
        }

        if (rule == StoppingRule.Median && options.WarmupEpochs >= last)
        {
            r.Error("warmup_epochs", $"must be less than the trials' epochs (training.epochs {last}), or no trial is ever stopped");
        }

        return options;
    }

    private static WarmStart? ReadWarmStart(SpecReader r)
    {
        var study = r.String("study", null);
        if (study is null) r.Error("study", "is required: the id of an earlier tune study");
        else if (!JobMessage.IsValidJobId(study)) r.Error("study", $"must be a study id ({JobMessage.JobIdRule}), got \"{study}\"");
        var enqueue = r.Bool("enqueue_best", true);
        r.RejectUnknownFields();
        return study is null ? null : new WarmStart(study, enqueue);
    }
}
