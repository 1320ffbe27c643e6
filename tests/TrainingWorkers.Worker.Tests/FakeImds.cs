using System.Net;

namespace TrainingWorkers.Worker.Tests;

/// <summary>
/// The instance metadata service as IMDSv2 answers it (token PUT, then GETs with the token; 404 for absent
/// items): no emulator covers it. The test sets the instance id, the spot notice and the lifecycle state.
/// </summary>
internal sealed class FakeImds : IAsyncDisposable
{
    private const string Token = "test-token";
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public FakeImds(string instanceId, int port)
    {
        InstanceId = instanceId;
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }
    public string InstanceId { get; }
    public string? SpotAction { get; set; }
    public string LifecycleState { get; set; } = "InService";

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var path = context.Request.Url!.AbsolutePath;
            string? body;
            if (context.Request.HttpMethod == "PUT" && path == "/latest/api/token")
            {
                body = Token;
            }
            else if (context.Request.Headers["X-aws-ec2-metadata-token"] != Token)
            {
                context.Response.StatusCode = 401;
                context.Response.Close();
                continue;
            }
            else
            {
                body = path switch
                {
                    "/latest/meta-data/instance-id" => InstanceId,
                    "/latest/meta-data/instance-type" => "g5.xlarge",
                    "/latest/meta-data/local-ipv4" => "127.0.0.1",
                    "/latest/meta-data/autoscaling/target-lifecycle-state" => LifecycleState,
                    "/latest/meta-data/spot/instance-action" => SpotAction,
                    _ => null,
                };
            }

            context.Response.StatusCode = body is null ? 404 : 200;
            if (body is not null) await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(body));
            context.Response.Close();
        }
    }
}
