using Microsoft.AspNetCore.Http;
using TrainingWorkers.Aws.Instance;

namespace TrainingWorkers.Aws.Tests;

public sealed class ImdsClientTests
{
    [Fact]
    public async Task Metadata_WithSessionToken_ReadAndTokenReused()
    {
        await using var imds = await FakeImds.StartAsync();
        var client = new ImdsClient(new HttpClient(), imds.Url);

        Assert.Equal("i-0123456789abcdef0", await client.GetInstanceIdAsync(CancellationToken.None));
        Assert.Equal("g5.xlarge", await client.GetInstanceTypeAsync(CancellationToken.None));
        Assert.Equal("us-east-1a", await client.GetAvailabilityZoneAsync(CancellationToken.None));
        Assert.Equal("InService", await client.GetTargetLifecycleStateAsync(CancellationToken.None));
        Assert.Equal(1, imds.TokensIssued);
        Assert.Equal("21600", imds.LastTtlHeader);
    }

    [Fact]
    public async Task SpotNotice_AbsentThenPosted_NullThenActionAndTime()
    {
        await using var imds = await FakeImds.StartAsync();
        var client = new ImdsClient(new HttpClient(), imds.Url);

        var before = await client.GetSpotInterruptionAsync(CancellationToken.None);
        imds.SpotAction = """{"action":"terminate","time":"2026-11-22T10:00:00Z"}""";
        var after = await client.GetSpotInterruptionAsync(CancellationToken.None);

        Assert.Null(before);
        Assert.Equal(new SpotInterruption("terminate", new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero)), after);
    }

    [Fact]
    public async Task Token_RevokedByImds_NewTokenTakenAfter401()
    {
        await using var imds = await FakeImds.StartAsync();
        var client = new ImdsClient(new HttpClient(), imds.Url);
        await client.GetInstanceIdAsync(CancellationToken.None);

        imds.RevokeTokens();
        var id = await client.GetInstanceIdAsync(CancellationToken.None);

        Assert.Equal("i-0123456789abcdef0", id);
        Assert.Equal(2, imds.TokensIssued);
        Assert.Equal(1, imds.Unauthorized);
    }

    [Fact]
    public async Task Metadata_NoImdsListening_TransientErrorQuickly()
    {
        var client = new ImdsClient(new HttpClient(), new Uri($"http://127.0.0.1:{MotoServer.FreePort()}/"));

        var e = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetInstanceIdAsync(CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("Unreachable", e.ErrorCode);
        Assert.True(e.IsTransient);
    }

    /// <summary>Behaves like IMDSv2: token PUT with a TTL header, 401 for GETs without a valid token, 404 for absent items.</summary>
    private sealed class FakeImds : IAsyncDisposable
    {
        private readonly HashSet<string> _tokens = [];
        private StubHttpServer? _server;
        private int _issued;
        private int _unauthorized;

        public Uri Url => _server!.Url;
        public int TokensIssued => Volatile.Read(ref _issued);
        public int Unauthorized => Volatile.Read(ref _unauthorized);
        public string? LastTtlHeader { get; private set; }
        public string? SpotAction { get; set; }

        public static async Task<FakeImds> StartAsync()
        {
            var imds = new FakeImds();
            imds._server = await StubHttpServer.StartAsync(imds.HandleAsync);
            return imds;
        }

        public void RevokeTokens()
        {
            lock (_tokens) _tokens.Clear();
        }

        public ValueTask DisposeAsync() => _server!.DisposeAsync();

        private async Task HandleAsync(HttpContext context)
        {
            var path = context.Request.Path.Value;
            if (context.Request.Method == "PUT" && path == "/latest/api/token")
            {
                LastTtlHeader = context.Request.Headers["X-aws-ec2-metadata-token-ttl-seconds"];
                if (string.IsNullOrEmpty(LastTtlHeader))
                {
                    context.Response.StatusCode = 400;
                    return;
                }

                var token = Guid.NewGuid().ToString("N");
                lock (_tokens) _tokens.Add(token);
                Interlocked.Increment(ref _issued);
                context.Response.Headers["X-aws-ec2-metadata-token-ttl-seconds"] = LastTtlHeader;
                await context.Response.WriteAsync(token);
                return;
            }

            bool valid;
            lock (_tokens) valid = _tokens.Contains(context.Request.Headers["X-aws-ec2-metadata-token"].ToString());
            if (!valid)
            {
                Interlocked.Increment(ref _unauthorized);
                context.Response.StatusCode = 401;
                return;
            }

            var body = path switch
            {
                "/latest/meta-data/instance-id" => "i-0123456789abcdef0",
                "/latest/meta-data/instance-type" => "g5.xlarge",
                "/latest/meta-data/placement/availability-zone" => "us-east-1a",
                "/latest/meta-data/autoscaling/target-lifecycle-state" => "InService",
                "/latest/meta-data/spot/instance-action" => SpotAction,
                _ => null,
            };
            if (body is null)
            {
                context.Response.StatusCode = 404;
                return;
            }

            await context.Response.WriteAsync(body);
        }
    }
}
