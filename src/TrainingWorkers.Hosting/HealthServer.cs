using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Hosting;

/// <summary>
/// <c>GET /health/live</c>: 200 while the host's main loop turns, else 503. <c>GET /health/ready</c>: 200 once the start-up
/// checks passed and until a stop begins, else 503. Both answer the report's JSON status; other paths 404. Listens on
/// 127.0.0.1 only (HttpListener: no web stack in the hosts); port 0 turns it off. Registered with
/// <see cref="ServiceHost.AddHealthEndpoints{TReport}"/>.
/// </summary>
public sealed class HealthServer(IHealthReport report, int port, ILogger<HealthServer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
        var live = report.IsLive;
        var ok = context.Request.Url?.AbsolutePath.TrimEnd('/') switch
        {
            "/health/live" => (bool?)live,
            "/health/ready" => live && report.IsReady,
            _ => null,
        };
        context.Response.StatusCode = ok switch { true => 200, false => 503, null => 404 };
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(JsonSerializer.SerializeToUtf8Bytes(report.Status(live)));
        context.Response.Close();
    }
}
