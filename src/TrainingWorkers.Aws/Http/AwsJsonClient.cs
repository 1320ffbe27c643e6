using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainingWorkers.Aws;

/// <summary>
/// Calls a service over the AWS JSON 1.0 protocol (<c>X-Amz-Target: {prefix}.{Operation}</c>): serializes
/// the request, sends it through the signing client under the retry policy, and turns error bodies into
/// <see cref="AwsServiceException"/>.
/// </summary>
internal sealed class AwsJsonClient
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    private static readonly MediaTypeHeaderValue ContentType = new("application/x-amz-json-1.0");
    private readonly HttpClient _http;
    private readonly AwsConnection _connection;
    private readonly Uri _endpoint;
    private readonly string _service;
    private readonly string _targetPrefix;

    public AwsJsonClient(HttpClient signedHttp, AwsConnection connection, Uri endpoint, string service, string targetPrefix)
    {
        _http = signedHttp;
        _connection = connection;
        _endpoint = endpoint;
        _service = service;
        _targetPrefix = targetPrefix;
    }

    /// <summary>Sends one operation and returns its response.</summary>
    /// <param name="extraWait">Time the server may legitimately hold the request (a long poll), added to the attempt timeout.</param>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(string operation, TRequest request, CancellationToken cancellationToken,
        TimeSpan extraWait = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, Json);
        return await SendBodyAsync<TResponse>(operation, body, cancellationToken, extraWait).ConfigureAwait(false);
    }

    /// <summary>Sends one operation whose JSON body the caller has already written.</summary>
    public async Task<TResponse> SendBodyAsync<TResponse>(string operation, byte[] body, CancellationToken cancellationToken, TimeSpan extraWait = default)
    {
        return await _connection.Retry.ExecuteAsync(
            async ct => await AttemptAsync<TResponse>(operation, body, extraWait, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<TResponse> AttemptAsync<TResponse>(string operation, byte[] body, TimeSpan extraWait, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_connection.Options.AttemptTimeout + extraWait);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = ContentType;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", $"{_targetPrefix}.{operation}");
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attempt.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(attempt.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                // Some operations answer with an empty body; read it as an empty object.
                return JsonSerializer.Deserialize<TResponse>(bytes.Length == 0 ? "{}"u8 : bytes, Json)
                    ?? throw new AwsServiceException(_service, operation, "EmptyResponse", "the response had no body", AwsErrorCategory.Transient);
            }

            throw ToException(operation, response, bytes);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsServiceException(_service, operation, "Timeout",
                $"no response within {_connection.Options.AttemptTimeout + extraWait}", AwsErrorCategory.Transient, inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new AwsServiceException(_service, operation, "NetworkError", e.Message, AwsErrorCategory.Transient, inner: e);
        }
        catch (JsonException e)
        {
            throw new AwsServiceException(_service, operation, "MalformedResponse", "the response is not the JSON expected", AwsErrorCategory.Transient, inner: e);
        }
    }

    private AwsServiceException ToException(string operation, HttpResponseMessage response, byte[] body)
    {
        string? type = null, text = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("__type", out var t)) type = t.GetString();
                if (doc.RootElement.TryGetProperty("message", out var m) || doc.RootElement.TryGetProperty("Message", out m)) text = m.GetString();
            }
        }
        catch (JsonException)
        {
            // Proxies and load balancers answer 5xx with HTML; the status code still classifies it.
        }

        if (type is null && response.Headers.TryGetValues("X-Amzn-ErrorType", out var header)) type = header.FirstOrDefault();
        var code = AwsErrors.ShortCode(type ?? response.StatusCode.ToString());
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        return new AwsServiceException(_service, operation, code, text ?? $"HTTP {(int)response.StatusCode}",
            AwsErrors.Classify(code, response.StatusCode), (int)response.StatusCode, requestId);
    }

}
