using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Hosting;
using TrainingWorkers.Worker;
using TrainingWorkers.Worker.Gangs;

// tw-worker: configuration from appsettings.json, then TW_-prefixed environment variables
// (TW_Worker__LeaseDuration=00:00:30, TW_Aws__Queue__QueueUrl=...), then the command line.
var builder = ServiceHost.CreateBuilder(args);
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
builder.Services.AddSingleton<GangFormer>();
builder.Services.AddSingleton<GangLeader>();
builder.Services.AddSingleton<GangMember>();
builder.Services.AddSingleton<INodeAttemptRunner, NodeAttempt>();
builder.Services.AddSingleton<RegistrationHeartbeat>();
builder.Services.AddSingleton<InstanceMonitor>();
builder.Services.AddSingleton<FleetHeartbeat>();
builder.Services.AddSingleton<IFleetOutcomes>(sp => sp.GetRequiredService<FleetHeartbeat>());
builder.Services.AddSingleton(sp =>
{
    // On EC2 the worker is named after its instance; elsewhere after the host and process.
    var options = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
    var configured = options.WorkerId;
    var (instanceId, instanceType, address) = sp.GetRequiredService<InstanceMonitor>().DescribeAsync(CancellationToken.None).GetAwaiter().GetResult();
    var local = WorkerIdentity.Local(configured);
    return local with
    {
        WorkerId = configured is { Length: > 0 } ? configured : instanceId ?? local.WorkerId, InstanceId = instanceId, InstanceType = instanceType,
        Address = options.Address ?? address ?? local.Address,
    };
});
// Started in this order and stopped in reverse: the worker hands its jobs off before the instance side completes the lifecycle action.
builder.Services.AddHealthEndpoints<WorkerState>(sp => sp.GetRequiredService<IOptions<WorkerOptions>>().Value.HealthPort);
builder.Services.AddHostedService(sp => sp.GetRequiredService<InstanceMonitor>());
// The fleet's counts stop after the worker, so that the ends of the jobs it hands off are still sent.
builder.Services.AddHostedService(sp => sp.GetRequiredService<FleetHeartbeat>());
builder.Services.AddHostedService<WorkerService>();
// Traces and metrics through the host: the providers start with it, and flush what they hold when it stops.
builder.AddTelemetry(Telemetry.Name);

return await ServiceHost.RunAsync<WorkerState>(builder, "tw-worker").ConfigureAwait(false);
