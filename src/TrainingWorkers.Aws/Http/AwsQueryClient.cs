using System.Xml.Linq;

namespace TrainingWorkers.Aws;

/// <summary>
/// Calls a service over the AWS query protocol (form-encoded <c>Action</c> and parameters, XML answers),
/// as Auto Scaling speaks it: through the signing client under the retry policy, errors made typed.
/// </summary>
internal sealed class AwsQueryClient
{
    private readonly HttpClient _http;
    private readonly AwsConnection _connection;
    private readonly Uri _endpoint;
    private readonly string _service;
    private readonly string _version;

    public AwsQueryClient(HttpClient signedHttp, AwsConnection connection, Uri endpoint, string service, string version)
    {
        _http = signedHttp;
        _connection = connection;
        _endpoint = endpoint;
        _service = service;
        _version = version;
    }

    /// <summary>Sends <paramref name="action"/> and returns the response document.</summary>
    public Task<XDocument> SendAsync(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>(parameters.Count + 2) { new("Action", action), new("Version", _version) };
        form.AddRange(parameters);
        return _connection.Retry.ExecuteAsync(async ct => await AttemptAsync(action, form, ct).ConfigureAwait(false), cancellationToken).AsTask();
    }

    private async Task<XDocument> AttemptAsync(string action, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_connection.Options.AttemptTimeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new FormUrlEncodedContent(form) };
        try
        {
            using var response = await _http.SendAsync(message, attempt.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(attempt.Token).ConfigureAwait(false);
            XDocument? doc = null;
            try
            {
                doc = XDocument.Parse(body);
            }
            catch (System.Xml.XmlException) when (!response.IsSuccessStatusCode)
            {
                // A proxy's HTML error page: the status code alone classifies it.
            }

            if (response.IsSuccessStatusCode) return doc!;
            var error = doc?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? response.StatusCode.ToString();
            var text = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? $"HTTP {(int)response.StatusCode}";
            var requestId = doc?.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
            throw new AwsServiceException(_service, action, code, text, AwsErrors.Classify(code, response.StatusCode), (int)response.StatusCode, requestId);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsServiceException(_service, action, "Timeout", $"no response within {_connection.Options.AttemptTimeout}", AwsErrorCategory.Transient, inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new AwsServiceException(_service, action, "NetworkError", e.Message, AwsErrorCategory.Transient, inner: e);
        }
        catch (System.Xml.XmlException e)
        {
            throw new AwsServiceException(_service, action, "MalformedResponse", "the response is not the XML expected", AwsErrorCategory.Transient, inner: e);
        }
    }
}
