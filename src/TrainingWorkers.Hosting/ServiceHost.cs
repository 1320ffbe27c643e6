using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TrainingWorkers.Hosting;

/// <summary>
/// How the worker and the coordinator are built and run: the same configuration sources, telemetry, health endpoints and
/// start-up exit codes (2 for invalid configuration; otherwise the host state's <see cref="HostState.ExitCode"/>).
/// </summary>
public static class ServiceHost
{
    /// <summary>The exit code for configuration that fails validation at start-up.</summary>
    public const int InvalidConfigurationExitCode = 2;

    /// <summary>
    /// A host builder rooted beside the program, whose configuration is the host's defaults (appsettings.json among them),
    /// then <paramref name="settingsFile"/> beside the program when given and present, then TW_-prefixed environment
    /// variables (<c>TW_Aws__Queue__QueueUrl=...</c>), then the command line: each source overrides the ones before it.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args, string? settingsFile = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (settingsFile is not null) builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, settingsFile), optional: true);
        builder.Configuration.AddEnvironmentVariables("TW_");
        builder.Configuration.AddCommandLine(args);
        return builder;
    }

    /// <summary>
    /// Traces of the activity source and metrics of the meter named <paramref name="name"/>, through the host: the providers
    /// start with it and flush what they hold when it stops. Exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set
    /// (environment or configuration).
    /// </summary>
    public static void AddTelemetry(this HostApplicationBuilder builder, string name)
    {
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing.AddSource(name);
                if (otlp) tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(name);
                if (otlp) metrics.AddOtlpExporter();
            });
    }

    /// <summary>The health endpoints (<see cref="HealthServer"/>) on the port <paramref name="port"/> reads from the host's options, answering for <typeparamref name="TReport"/>.</summary>
    public static IServiceCollection AddHealthEndpoints<TReport>(this IServiceCollection services, Func<IServiceProvider, int> port)
        where TReport : class, IHealthReport =>
        services.AddHostedService(sp => new HealthServer(sp.GetRequiredService<TReport>(), port(sp), sp.GetRequiredService<ILogger<HealthServer>>()));

    /// <summary>
    /// Builds and runs the host; returns <typeparamref name="TState"/>'s exit code. Every option is validated before anything
    /// starts: invalid configuration writes one "<paramref name="program"/>: invalid configuration:" report to stderr, every
    /// failure of every options type on a line of its own (the setting and its rule), and returns
    /// <see cref="InvalidConfigurationExitCode"/>.
    /// </summary>
    public static async Task<int> RunAsync<TState>(HostApplicationBuilder builder, string program)
        where TState : HostState
    {
        ArgumentNullException.ThrowIfNull(builder);
        try
        {
            using var host = builder.Build();
            // Before anything resolves the options (the hosted services' factories do): every error at once.
            host.Services.GetService<IStartupValidator>()?.Validate();
            var state = host.Services.GetRequiredService<TState>();
            await host.RunAsync().ConfigureAwait(false);
            return state.ExitCode;
        }
        catch (Exception e) when (e is OptionsValidationException || (e is AggregateException a && a.InnerExceptions.All(i => i is OptionsValidationException)))
        {
            var failures = (e is AggregateException all ? all.InnerExceptions : [e]).Cast<OptionsValidationException>().SelectMany(v => v.Failures);
            await Console.Error.WriteLineAsync(program + ": invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", failures)).ConfigureAwait(false);
            return InvalidConfigurationExitCode;
        }
    }
}
