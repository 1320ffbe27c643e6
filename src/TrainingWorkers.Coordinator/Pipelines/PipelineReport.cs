using System.Text;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Reports;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Pipelines;

/// <summary>
/// The end of a pipeline: the approaches that succeeded ranked by their last stage's monitored metric on validation, the
/// winner's final model, and the report on S3 (report.json with every stage, curves.svg with the metric per epoch).
/// </summary>
internal static class PipelineReport
{
    public static async Task<StudyEnd> FinishAsync(StudyContext context, FineTuneRequest request, CancellationToken cancellationToken)
    {
        var branches = context.State.Branches;
        var ranked = branches.Where(b => b.Status == BranchStatus.Succeeded && b.Score is { } s && !double.IsNaN(s))
            .OrderBy(b => request.HigherIsBetter ? -b.Score!.Value : b.Score!.Value).ToList();
        for (var i = 0; i < ranked.Count; i++) ranked[i].Rank = i + 1;
        var winner = ranked.FirstOrDefault();
        var report = new JsonObject
        {
            ["study"] = context.StudyId, ["name"] = request.Name, ["monitor"] = request.Monitor, ["higher_is_better"] = request.HigherIsBetter,
            ["base_model_uri"] = context.State.BaseModelUri, ["winner"] = winner?.Approach,
            ["branches"] = JsonNode.Parse(StudyJson.Write(branches)),
        };
        var result = new StudyResult
        {
            Best = winner?.Approach, Metric = request.Monitor, HigherIsBetter = request.HigherIsBetter, Value = winner?.Score,
            ModelUri = winner?.Stages[^1].ModelUri, JobId = winner?.Stages[^1].JobId,
        };
        result.ReportUri = await context.Files.PutAsync(context.StudyId, "report.json", Encoding.UTF8.GetBytes(report.ToJsonString(StudyJson.Options)), "application/json", cancellationToken).ConfigureAwait(false);
        result.Pictures.Add(await context.Files.PutAsync(context.StudyId, "curves.svg", Encoding.UTF8.GetBytes(Curves(request, branches)), "image/svg+xml", cancellationToken).ConfigureAwait(false));
        if (winner is not null) return StudyEnd.Succeeded(result);
        var why = string.Join("; ", branches.Select(b => $"{b.Approach}: {b.Error ?? b.Status.ToString()}"));
        return StudyEnd.Failed(FailureKind.Crashed, $"no approach succeeded ({why})", result);
    }

    /// <summary>The monitored metric per epoch, one line per approach, its stages one after the other; an evaluation as one point at epoch 0.</summary>
    public static string Curves(FineTuneRequest request, IReadOnlyList<BranchState> branches)
    {
        var series = new List<ChartSeries>();
        foreach (var branch in branches)
        {
            var points = new List<CurvePoint>();
            var offset = 0;
            foreach (var stage in branch.Stages)
            {
                if (stage.Epochs == 0 && stage.FinalMetrics?.GetValueOrDefault(request.Monitor, double.NaN) is { } value && !double.IsNaN(value)) points.Add(new CurvePoint(offset, value));
                points.AddRange(stage.Values.Select(kv => new CurvePoint(offset + kv.Key, kv.Value)));
                offset += stage.Values.Count > 0 ? stage.Values.Keys.Max() : 0;
            }

            var label = branch.Rank is { } rank ? $"#{rank} {branch.Approach}" : $"{branch.Approach} ({branch.Status.ToString().ToLowerInvariant()})";
            series.Add(new ChartSeries(label, points));
        }

        return SvgCharts.LineChart($"{request.Name}: {request.Monitor} per epoch", "epoch (a branch's stages one after the other)", request.Monitor, series);
    }
}
