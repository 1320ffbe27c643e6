using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Reports;

namespace TrainingWorkers.FleetSimulator;

/// <summary>A run as a picture: backlog per instance against the target, and desired, in service and pending instances, over time.</summary>
internal static class FleetChart
{
    public static string Svg(string title, SimulationResult result)
    {
        static IReadOnlyList<CurvePoint> Points(IEnumerable<Datapoint> series, Func<Datapoint, double> value) =>
            series.Select(d => new CurvePoint(d.At / 60.0, value(d))).ToList();
        // Up to ten minutes after the group is back at its minimum with nothing left to do; the rest is flat.
        var quiet = result.Series.FirstOrDefault(d => d.At > (result.Jobs.Max(j => j.Finished) ?? 0) && d.InService + d.Pending <= result.Settings.MinSize);
        var series = result.Series.Where(d => quiet is null || d.At <= quiet.At + 600).ToList();
        var backlog = SvgCharts.LineChart($"{title}: backlog per instance", "minutes", "jobs per instance in service",
        [
            // With no instance in service the metric is the backlog itself (the policy does nothing with it): not drawn.
            new ChartSeries("backlog per instance", Points(series, d => d.InService > 0 ? d.BacklogPerInstance : double.NaN)),
            new ChartSeries("target", Points(series, _ => result.Settings.Target)),
        ], 900, 320);
        var instances = SvgCharts.LineChart($"{title}: instances", "minutes", "instances",
        [
            new ChartSeries("desired", Points(series, d => d.Desired)),
            new ChartSeries("in service", Points(series, d => d.InService)),
            new ChartSeries("pending", Points(series, d => d.Pending)),
            new ChartSeries("jobs queued", Points(series, d => d.Visible)),
            new ChartSeries("jobs running", Points(series, d => d.InFlight)),
        ], 900, 320);
        return SvgCharts.Stack(title, backlog, instances);
    }
}
