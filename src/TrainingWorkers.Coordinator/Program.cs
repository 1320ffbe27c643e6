using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Coordinator;
using TrainingWorkers.Coordinator.Hosting;
using TrainingWorkers.Coordinator.Jobs;
using TrainingWorkers.Coordinator.Pipelines;
using TrainingWorkers.Coordinator.Tuning;
using TrainingWorkers.Hosting;

// tw-coordinator: configuration from tw-coordinator.json beside the program, then TW_-prefixed environment variables
// (TW_Coordinator__LeaseDuration=00:00:10, TW_Aws__Queue__QueueUrl=...), then the command line.
var builder = ServiceHost.CreateBuilder(args, "tw-coordinator.json");
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
builder.Services.AddHealthEndpoints<CoordinatorState>(sp => sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.HealthPort);
builder.Services.AddHostedService<CoordinatorService>();
// Traces and metrics through the host, as the worker's: exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
builder.AddTelemetry(Telemetry.Name);

return await ServiceHost.RunAsync<CoordinatorState>(builder, "tw-coordinator").ConfigureAwait(false);
