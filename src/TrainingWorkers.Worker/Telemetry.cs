using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TrainingWorkers.Worker;

/// <summary>
/// The worker's traces (one span per job, with child spans fetch, train, upload and upload_model) and metrics
/// (jobs by outcome, job duration, queue receives). Registered with the host (OpenTelemetry.Extensions.Hosting, in
/// Program.cs) and exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (environment or configuration).
/// </summary>
internal static class Telemetry
{
    public const string Name = "TrainingWorkers.Worker";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    public static readonly Counter<long> Received = Meter.CreateCounter<long>("tw.worker.messages_received", description: "queue messages received");
    public static readonly Counter<long> Finished = Meter.CreateCounter<long>("tw.worker.jobs_finished", description: "jobs ended by this worker, by outcome");
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("tw.worker.job_duration", "s", "time from claim to the job's end on this worker");

    public static void Outcome(string outcome, TimeSpan duration)
    {
        Finished.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        Duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
    }
}
