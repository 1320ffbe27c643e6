using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TrainingWorkers.Coordinator;

/// <summary>
/// The coordinator's traces (a span per study step, tagged with the study and its kind) and metrics (jobs submitted, trials
/// stopped early, studies finished by outcome, steps). Registered with the host in Program.cs and exported over OTLP when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
internal static class Telemetry
{
    public const string Name = "TrainingWorkers.Coordinator";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    public static readonly Counter<long> Steps = Meter.CreateCounter<long>("tw.coordinator.steps", description: "study steps taken");
    public static readonly Counter<long> JobsSubmitted = Meter.CreateCounter<long>("tw.coordinator.jobs_submitted", description: "jobs submitted for studies");
    public static readonly Counter<long> TrialsStopped = Meter.CreateCounter<long>("tw.coordinator.trials_stopped", description: "trials stopped early by a stopping rule");
    public static readonly Counter<long> StudiesFinished = Meter.CreateCounter<long>("tw.coordinator.studies_finished", description: "studies ended, by outcome");
}
