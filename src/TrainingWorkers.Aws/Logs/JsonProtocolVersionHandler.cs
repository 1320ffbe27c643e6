using System.Net.Http.Headers;

namespace TrainingWorkers.Aws.Logs;

/// <summary>
/// Marks requests as AWS JSON 1.1, the protocol CloudWatch Logs speaks; the shared JSON client writes 1.0 (the
/// protocol of SQS and CloudWatch). It sits above the signer, so the header is set before the request is signed.
/// </summary>
internal sealed class JsonProtocolVersionHandler : DelegatingHandler
{
    private static readonly MediaTypeHeaderValue Json11 = new("application/x-amz-json-1.1");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null) request.Content.Headers.ContentType = Json11;
        return base.SendAsync(request, cancellationToken);
    }
}
