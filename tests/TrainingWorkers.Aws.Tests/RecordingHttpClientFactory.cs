using Amazon.Runtime;

namespace TrainingWorkers.Aws.Tests;

/// <summary>
/// The transport of an SDK client under test (<c>ClientConfig.HttpClientFactory</c>): it records every request
/// the SDK sends, attempts included, and signals when one for a given operation has gone out.
/// </summary>
internal sealed class RecordingHttpClientFactory : HttpClientFactory
{
    private readonly RecordingHandler _handler = new();

    /// <summary>Each request as sent: its X-Amz-Target operation and its Authorization header.</summary>
    public IReadOnlyList<(string Operation, string Authorization)> Requests
    {
        get
        {
            lock (_handler.Requests) return [.. _handler.Requests];
        }
    }

    /// <summary>Completes when a request for <paramref name="operation"/> has been handed to the network.</summary>
    public Task SentAsync(string operation)
    {
        lock (_handler.Requests)
        {
            if (_handler.Requests.Any(r => r.Operation == operation)) return Task.CompletedTask;
            var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _handler.Waiters.Add((operation, sent));
            return sent.Task;
        }
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        // The SDK sets the timeout only on clients it makes itself.
        new(_handler, disposeHandler: false) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    private sealed class RecordingHandler() : DelegatingHandler(AwsConnection.CreateTransport())
    {
        public List<(string Operation, string Authorization)> Requests { get; } = [];
        public List<(string Operation, TaskCompletionSource Sent)> Waiters { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var t) ? t.First() : "";
            var operation = target[(target.LastIndexOf('.') + 1)..];
            var response = base.SendAsync(request, cancellationToken);
            lock (Requests)
            {
                Requests.Add((operation, request.Headers.Authorization?.ToString() ?? ""));
                foreach (var waiter in Waiters.Where(w => w.Operation == operation)) waiter.Sent.TrySetResult();
                Waiters.RemoveAll(w => w.Operation == operation);
            }

            return response;
        }
    }
}
