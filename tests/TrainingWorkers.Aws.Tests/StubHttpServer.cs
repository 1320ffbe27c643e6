using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Aws.Tests;

/// <summary>A tiny HTTP server on 127.0.0.1 and a free port that answers every request with a handler (fault injection, IMDS).</summary>
public sealed class StubHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubHttpServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<StubHttpServer> StartAsync(RequestDelegate handler)
    {
        var port = MotoServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return new StubHttpServer(app, new Uri($"http://127.0.0.1:{port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
