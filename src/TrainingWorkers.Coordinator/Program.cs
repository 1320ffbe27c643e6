using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TrainingWorkers.Aws;
using TrainingWorkers.Coordinator;
using TrainingWorkers.Coordinator.Hosting;
using TrainingWorkers.Coordinator.Jobs;
using TrainingWorkers.Coordinator.Pipelines;
using TrainingWorkers.Coordinator.Tuning;

// tw-coordinator: configuration from tw-coordinator.json beside the program, then TW_-prefixed environment variables
// (TW_Coordinator__LeaseDuration=00:00:10, TW_Aws__Queue__QueueUrl=...), then the command line.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "tw-coordinator.json"), optional: true);
builder.Configuration.AddEnvironmentVariables("TW_");
builder.Configuration.AddCommandLine(args);
var section = builder.Configuration.GetSection(CoordinatorOptions.SectionName);
builder.Services.AddOptions<CoordinatorOptions>().Bind(section).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>();
builder.Services.AddTrainingWorkersAws(o => builder.Configuration.GetSection(AwsOptions.SectionName).Bind(o));
builder.Services.AddSingleton<IValidateOptions<AwsOptions>, CoordinatorAwsOptionsValidator>();
builder.Services.AddSingleton<CoordinatorState>();
builder.Services.AddSingleton(sp => CoordinatorIdentity.From(sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.CoordinatorId));
builder.Services.AddSingleton<StudyJobs>();
builder.Services.AddSingleton<IStudyFiles, S3StudyFiles>();
builder.Services.AddSingleton<IStudyDriver, PipelineDriver>();
builder.Services.AddSingleton<IStudyDriver, SweepDriver>();
builder.Services.AddSingleton<StudyRunner>();
builder.Services.AddSingleton<StudyTurns>();
builder.Services.AddHostedService<HealthServer>();
builder.Services.AddHostedService<CoordinatorService>();
// Traces and metrics through the host, as the worker's: exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
builder.Services.AddOpenTelemetry()
    .WithTracing(tracing =>
    {
        tracing.AddSource(Telemetry.Name);
        if (otlp) tracing.AddOtlpExporter();
    })
    .WithMetrics(metrics =>
    {
        metrics.AddMeter(Telemetry.Name);
        if (otlp) metrics.AddOtlpExporter();
    });

try
{
    using var host = builder.Build();
    // Before anything resolves the options: every error of every options type at once.
    host.Services.GetService<IStartupValidator>()?.Validate();
    var state = host.Services.GetRequiredService<CoordinatorState>();
    await host.RunAsync().ConfigureAwait(false);
    return state.ExitCode;
}
catch (Exception e) when (e is OptionsValidationException || (e is AggregateException a && a.InnerExceptions.All(i => i is OptionsValidationException)))
{
    var failures = (e is AggregateException all ? all.InnerExceptions : [e]).Cast<OptionsValidationException>().SelectMany(v => v.Failures);
    await Console.Error.WriteLineAsync("tw-coordinator: invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", failures)).ConfigureAwait(false);
    return 2;
}
