using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TrainingWorkers.Worker;

/// <summary>
/// The worker's traces (one span per job, with child spans fetch, train, upload and upload_model) and metrics
/// (jobs by outcome, job duration, queue receives). Exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
internal static class Telemetry
{
    public const string Name = "TrainingWorkers.Worker";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    public static readonly Counter<long> Received = Meter.CreateCounter<long>("tw.worker.messages_received", description: "queue messages received");
    public static readonly Counter<long> Finished = Meter.CreateCounter<long>("tw.worker.jobs_finished", description: "jobs ended by this worker, by outcome");
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("tw.worker.job_duration", "s", "time from claim to the job's end on this worker");

    /// <summary>The OTLP exporters, or nothing when no endpoint is configured.</summary>
    public static IReadOnlyList<IDisposable> StartExporters()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))) return [];
        return
        [
            Sdk.CreateTracerProviderBuilder().AddSource(Name).AddOtlpExporter().Build(),
            Sdk.CreateMeterProviderBuilder().AddMeter(Name).AddOtlpExporter().Build(),
        ];
    }

    public static void Outcome(string outcome, TimeSpan duration)
    {
        Finished.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        Duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
    }
}
