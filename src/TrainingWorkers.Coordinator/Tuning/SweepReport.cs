using System.Text;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning;

/// <summary>
/// The end of a sweep: the best completed trial (ties go to the earlier one), its spec and model, and the report on S3:
/// report.json with every trial's parameters, status, objective and per-epoch values; objective.svg (each trial's value,
/// the best so far); parameters.svg (each parameter against the objective).
/// </summary>
internal static class SweepReport
{
    public static async Task<StudyEnd> FinishAsync(StudyContext context, TuneRequest request, IStudyDriver driver, CancellationToken cancellationToken)
    {
        var trials = context.State.Trials;
        var objective = request.Objective;
        var best = trials.Where(t => t.Status == TrialStatus.Completed && t.Objective is not null)
            .Aggregate((TrialState?)null, (b, t) => b is null || objective.Better(t.Objective!.Value, b.Objective!.Value) ? t : b);
        var result = new StudyResult
        {
            Best = best is null ? null : $"trial {best.Number}", BestTrial = best?.Number, Metric = objective.Metric, HigherIsBetter = objective.HigherIsBetter,
            Value = best?.Objective, ModelUri = best?.ModelUri, JobId = best?.JobId, Params = best?.Params.DeepClone().AsObject(),
            Spec = best is null ? null : driver.SpecFor(context, best),
        };
        var report = new JsonObject
        {
            ["study"] = context.StudyId, ["name"] = request.Name, ["metric"] = objective.Metric, ["higher_is_better"] = objective.HigherIsBetter,
            ["search"] = request.Search.Method.ToString().ToLowerInvariant(), ["stopping"] = request.Stopping.Rule.ToString().ToLowerInvariant(),
            ["best_trial"] = best?.Number, ["best_value"] = best?.Objective,
            ["trials"] = JsonNode.Parse(StudyJson.Write(trials)), ["warm_start_trials"] = context.State.PriorTrials.Count,
        };
        result.ReportUri = await Put(context, "report.json", report.ToJsonString(StudyJson.Options), "application/json", cancellationToken).ConfigureAwait(false);
        result.Pictures.Add(await Put(context, "objective.svg", SweepCharts.Objective(request, trials), "image/svg+xml", cancellationToken).ConfigureAwait(false));
        result.Pictures.Add(await Put(context, "parameters.svg", SweepCharts.Parameters(request, trials), "image/svg+xml", cancellationToken).ConfigureAwait(false));
        if (best is not null) return StudyEnd.Succeeded(result);
        var counts = string.Join(", ", trials.GroupBy(t => t.Status).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        return StudyEnd.Failed(FailureKind.Crashed, $"no trial completed ({counts})", result);
    }

    private static Task<string> Put(StudyContext context, string name, string text, string type, CancellationToken cancellationToken) =>
        context.Files.PutAsync(context.StudyId, name, Encoding.UTF8.GetBytes(text), type, cancellationToken);
}
