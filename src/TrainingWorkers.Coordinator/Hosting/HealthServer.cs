using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TrainingWorkers.Coordinator.Hosting;

/// <summary>
/// <c>GET /health/live</c>: 200 while the study loop turns, else 503. <c>GET /health/ready</c>: 200 once the start-up checks
/// passed and until a stop begins. Both answer a small JSON status. 127.0.0.1 only, as the worker's.
/// </summary>
internal sealed class HealthServer(CoordinatorState state, IOptions<CoordinatorOptions> options, TimeProvider time, ILogger<HealthServer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var port = options.Value.HealthPort;
        if (port == 0) return;
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/health/");
        listener.Prefixes.Add($"http://localhost:{port}/health/");
        listener.Start();
        Log.HealthListening(logger, port);
        await using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break;
            }

            Answer(context);
        }
    }

    private void Answer(HttpListenerContext context)
    {
        // A step is short, but a loop that missed two lease periods no longer renews its leases.
        var live = time.GetUtcNow() - state.LastBeat < options.Value.LeaseDuration * 2 + TimeSpan.FromSeconds(30);
        var ok = context.Request.Url?.AbsolutePath.TrimEnd('/') switch
        {
            "/health/live" => (bool?)live,
            "/health/ready" => live && state.Ready && !state.Stopping,
            _ => null,
        };
        context.Response.StatusCode = ok switch { true => 200, false => 503, null => 404 };
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new { live, ready = state.Ready && !state.Stopping, stopping = state.Stopping, held_studies = state.HeldStudies, last_step = state.LastBeat });
        context.Response.OutputStream.Write(body);
        context.Response.Close();
    }
}
