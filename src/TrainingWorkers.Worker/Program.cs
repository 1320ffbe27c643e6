using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TrainingWorkers.Aws;
using TrainingWorkers.Worker;

// tw-worker: configuration from appsettings.json, then TW_-prefixed environment variables
// (TW_Worker__LeaseDuration=00:00:30, TW_Aws__Queue__QueueUrl=...), then the command line.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables("TW_");
builder.Configuration.AddCommandLine(args);
var section = builder.Configuration.GetSection(WorkerOptions.SectionName);
builder.Services.AddOptions<WorkerOptions>().Bind(section).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
builder.Services.AddTrainingWorkersAws(o => builder.Configuration.GetSection(AwsOptions.SectionName).Bind(o));
builder.Services.AddSingleton<IValidateOptions<AwsOptions>, WorkerAwsOptionsValidator>();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = (section.GetValue<TimeSpan?>(nameof(WorkerOptions.ShutdownTimeout)) ?? new WorkerOptions().ShutdownTimeout) + TimeSpan.FromSeconds(10));
builder.Services.AddSingleton<WorkerState>();
builder.Services.AddSingleton<RankLaunch>();
builder.Services.AddSingleton<IAttemptRunner, JobAttempt>();
builder.Services.AddSingleton<JobSettlement>();
builder.Services.AddSingleton<JobRunner>();
builder.Services.AddSingleton<InstanceMonitor>();
builder.Services.AddSingleton<FleetHeartbeat>();
builder.Services.AddSingleton<IFleetOutcomes>(sp => sp.GetRequiredService<FleetHeartbeat>());
builder.Services.AddSingleton(sp =>
{
    // On EC2 the worker is named after its instance; elsewhere after the host and process.
    var configured = sp.GetRequiredService<IOptions<WorkerOptions>>().Value.WorkerId;
    var (instanceId, instanceType) = sp.GetRequiredService<InstanceMonitor>().DescribeAsync(CancellationToken.None).GetAwaiter().GetResult();
    var local = WorkerIdentity.Local(configured);
    return local with { WorkerId = configured is { Length: > 0 } ? configured : instanceId ?? local.WorkerId, InstanceId = instanceId, InstanceType = instanceType };
});
// Started in this order and stopped in reverse: the worker hands its jobs off before the instance side completes the lifecycle action.
builder.Services.AddHostedService<HealthServer>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<InstanceMonitor>());
// The fleet's counts stop after the worker, so that the ends of the jobs it hands off are still sent.
builder.Services.AddHostedService(sp => sp.GetRequiredService<FleetHeartbeat>());
builder.Services.AddHostedService<WorkerService>();
// Traces and metrics through the host: the providers start with it, and flush what they hold when it stops.
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
    // Before anything resolves the options (the hosted services' factories do): every error at once.
    host.Services.GetService<IStartupValidator>()?.Validate();
    var state = host.Services.GetRequiredService<WorkerState>();
    await host.RunAsync().ConfigureAwait(false);
    return state.ExitCode;
}
catch (Exception e) when (e is OptionsValidationException || (e is AggregateException a && a.InnerExceptions.All(i => i is OptionsValidationException)))
{
    // Every bad setting at once (of every options type), each with its name and rule.
    var failures = (e is AggregateException all ? all.InnerExceptions : [e]).Cast<OptionsValidationException>().SelectMany(v => v.Failures);
    await Console.Error.WriteLineAsync("tw-worker: invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", failures)).ConfigureAwait(false);
    return 2;
}
