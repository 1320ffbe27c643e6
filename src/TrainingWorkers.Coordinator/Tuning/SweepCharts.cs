using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Reports;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tuning;

/// <summary>
/// A sweep's pictures, drawn with the run reports' line chart: markers only (a NaN between every two points keeps them
/// unjoined) make it a scatter plot. Log-scaled parameters are drawn on log10, choices by their index.
/// </summary>
internal static class SweepCharts
{
    /// <summary>Each trial's objective by trial number (completed, and stopped early at their last value) and the best so far.</summary>
    public static string Objective(TuneRequest request, IReadOnlyList<TrialState> trials)
    {
        var completed = Scatter(trials.Where(t => t.Status == TrialStatus.Completed && t.Objective is not null).Select(t => new CurvePoint(t.Number, t.Objective!.Value)));
        var stopped = Scatter(trials.Where(t => t.Status == TrialStatus.Pruned && t.Objective is not null).Select(t => new CurvePoint(t.Number, t.Objective!.Value)));
        var bestSoFar = new List<CurvePoint>();
        var best = double.NaN;
        foreach (var t in trials.Where(t => t.Status == TrialStatus.Completed && t.Objective is not null).OrderBy(t => t.Number))
        {
            best = request.Objective.Best(t.Objective!.Value, best);
            bestSoFar.Add(new CurvePoint(t.Number, best));
        }

        return SvgCharts.LineChart($"{request.Name}: {request.Objective.Metric} per trial", "trial", request.Objective.Metric,
            [new ChartSeries("completed", completed), new ChartSeries("stopped early", stopped), new ChartSeries("best so far", bestSoFar)]);
    }

    /// <summary>One scatter per parameter: its value against the objective, completed and stopped trials apart.</summary>
    public static string Parameters(TuneRequest request, IReadOnlyList<TrialState> trials)
    {
        var charts = request.SearchSpace.Select(p =>
        {
            var (label, x) = Axis(p);
            ChartSeries Of(string name, TrialStatus status) => new(name, Scatter(trials
                .Where(t => t.Status == status && t.Objective is not null && x(t.Params[p.Name]) is not null)
                .Select(t => new CurvePoint(x(t.Params[p.Name])!.Value, t.Objective!.Value))));
            return SvgCharts.LineChart($"{p.Name} against {request.Objective.Metric}", label, request.Objective.Metric,
                [Of("completed", TrialStatus.Completed), Of("stopped early", TrialStatus.Pruned)], height: 300);
        }).ToArray();
        return SvgCharts.Stack($"{request.Name}: parameters against {request.Objective.Metric}", charts);
    }

    private static (string Label, Func<System.Text.Json.Nodes.JsonNode?, double?> X) Axis(SearchParameter p)
    {
        if (p.Distribution == Distribution.Choice)
        {
            var names = string.Join(", ", p.Choices.Select(c => c.ToJsonString()));
            return ($"{p.Name} (choice index: {names})", v => Samplers.ParameterScale.ChoiceIndex(p, v) is var i and >= 0 ? i : null);
        }

        var log = p.Distribution == Distribution.LogUniform || p.Log;
        return (log ? $"log10({p.Name})" : p.Name, v => Samplers.ParameterScale.Number(v) is { } x ? (log ? Math.Log10(x) : x) : null);
    }

    // Separate points: a NaN after each breaks the line, so only the markers are drawn.
    private static List<CurvePoint> Scatter(IEnumerable<CurvePoint> points) =>
        points.SelectMany(p => new[] { p, new CurvePoint(double.NaN, double.NaN) }).ToList();
}
