using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TrainingWorkers.Aws.Instance;

/// <summary>
/// Reads the instance's own metadata through IMDSv2: a session token from <c>PUT /latest/api/token</c>
/// (kept until shortly before its TTL ends, fetched again after a 401), sent with every GET. Each call
/// has a short timeout, so off EC2 it fails fast with a transient <see cref="AwsServiceException"/>.
/// </summary>
public sealed class ImdsClient
{
    /// <summary>The link-local address IMDS answers on.</summary>
    public static readonly Uri DefaultEndpoint = new("http://169.254.169.254/");
    private static readonly TimeSpan TokenTtl = TimeSpan.FromHours(6);
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private (string Value, DateTimeOffset RenewAt)? _token;

    internal ImdsClient(HttpClient http, Uri? endpoint = null, TimeProvider? time = null)
    {
        _http = http;
        _endpoint = endpoint ?? DefaultEndpoint;
        _time = time ?? TimeProvider.System;
    }

    public Task<string> GetInstanceIdAsync(CancellationToken cancellationToken) => RequireAsync("meta-data/instance-id", cancellationToken);

    public Task<string> GetInstanceTypeAsync(CancellationToken cancellationToken) => RequireAsync("meta-data/instance-type", cancellationToken);

    public Task<string> GetAvailabilityZoneAsync(CancellationToken cancellationToken) =>
        RequireAsync("meta-data/placement/availability-zone", cancellationToken);

    /// <summary>The instance's market: <c>spot</c> or <c>on-demand</c>.</summary>
    public Task<string> GetMarketAsync(CancellationToken cancellationToken) => RequireAsync("meta-data/instance-life-cycle", cancellationToken);

    /// <summary>The spot interruption notice (action and time), or null while none is pending.</summary>
    public async Task<SpotInterruption?> GetSpotInterruptionAsync(CancellationToken cancellationToken)
    {
        var body = await GetAsync("meta-data/spot/instance-action", cancellationToken).ConfigureAwait(false);
        if (body is null) return null;
        using var doc = JsonDocument.Parse(body);
        return new SpotInterruption(doc.RootElement.GetProperty("action").GetString()!,
            DateTimeOffset.Parse(doc.RootElement.GetProperty("time").GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary>The Auto Scaling target lifecycle state (<c>InService</c>, <c>Terminated</c>, ...), or null outside a group.</summary>
    public Task<string?> GetTargetLifecycleStateAsync(CancellationToken cancellationToken) =>
        GetAsync("meta-data/autoscaling/target-lifecycle-state", cancellationToken);

    private async Task<string> RequireAsync(string path, CancellationToken cancellationToken) =>
        await GetAsync(path, cancellationToken).ConfigureAwait(false)
        ?? throw new AwsServiceException("imds", path, "NotFound", "the metadata item does not exist", AwsErrorCategory.Fatal, 404);

    // Returns null for 404 (item absent, e.g. no interruption pending).
    private async Task<string?> GetAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await TokenAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_endpoint, "latest/" + path));
            request.Headers.Add("X-aws-ec2-metadata-token", token);
            using var response = await SendAsync(request, path, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // The token expired or IMDS restarted: take a new one, once.
                _token = null;
                continue;
            }

            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode) throw Failure(path, response.StatusCode);
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is { } cached && _time.GetUtcNow() < cached.RenewAt) return cached.Value;
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_endpoint, "latest/api/token"));
            request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", ((int)TokenTtl.TotalSeconds).ToString(CultureInfo.InvariantCulture));
            using var response = await SendAsync(request, "api/token", cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw Failure("api/token", response.StatusCode);
            var value = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            _token = (value, _time.GetUtcNow() + TokenTtl - TimeSpan.FromMinutes(5));
            return value;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            return await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new AwsServiceException("imds", path, "Unreachable", "the instance metadata service did not answer (not on EC2?)",
                AwsErrorCategory.Transient, inner: e);
        }
    }

    private static AwsServiceException Failure(string path, HttpStatusCode status) =>
        new("imds", path, status.ToString(), $"HTTP {(int)status}", AwsErrors.Classify("", status), (int)status);
}
