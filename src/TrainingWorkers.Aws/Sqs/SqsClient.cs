namespace TrainingWorkers.Aws.Sqs;

/// <summary>
/// A small typed SQS client over the AWS JSON 1.0 protocol (the AWSSDK.SQS package is not available here).
/// Errors surface as <see cref="AwsServiceException"/>: transient ones after the retries, fatal ones at once.
/// </summary>
internal sealed class SqsClient
{
    /// <summary>SQS's limits: 256 KiB per message and per batch, 10 entries per batch, 20 s long poll, 12 h visibility.</summary>
    public const int MaxMessageBytes = 256 * 1024;
    public const int MaxBatchEntries = 10;
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromHours(12);

    private static readonly string[] AllNames = ["All"];
    private readonly AwsJsonClient _json;

    public SqsClient(HttpClient signedHttp, AwsConnection connection)
    {
        _json = new AwsJsonClient(signedHttp, connection, connection.EndpointFor("sqs"), "sqs", "AmazonSQS");
    }

    public async Task<string> CreateQueueAsync(string name, IReadOnlyDictionary<string, string>? attributes, CancellationToken cancellationToken)
    {
        var request = new CreateQueueRequest(name, attributes is null ? null : new Dictionary<string, string>(attributes));
        return (await _json.SendAsync<CreateQueueRequest, QueueUrlResponse>("CreateQueue", request, cancellationToken).ConfigureAwait(false)).QueueUrl;
    }

    public async Task<string> GetQueueUrlAsync(string name, CancellationToken cancellationToken) =>
        (await _json.SendAsync<QueueUrlRequest, QueueUrlResponse>("GetQueueUrl", new(name), cancellationToken).ConfigureAwait(false)).QueueUrl;

    public Task DeleteQueueAsync(string queueUrl, CancellationToken cancellationToken) =>
        _json.SendAsync<QueueRequest, EmptyResponse>("DeleteQueue", new(queueUrl), cancellationToken);

    public async Task<string> SendMessageAsync(string queueUrl, string body, IReadOnlyDictionary<string, SqsAttributeValue>? attributes,
        CancellationToken cancellationToken, TimeSpan? delay = null)
    {
        var request = new SendMessageRequest(queueUrl, body, delay is null ? null : (int)delay.Value.TotalSeconds,
            attributes is null ? null : new Dictionary<string, SqsAttributeValue>(attributes));
        return (await _json.SendAsync<SendMessageRequest, SendMessageResponse>("SendMessage", request, cancellationToken).ConfigureAwait(false)).MessageId;
    }

    public Task<SqsBatchResult> SendMessageBatchAsync(string queueUrl, IReadOnlyList<SqsSendEntry> entries, CancellationToken cancellationToken)
    {
        CheckBatch(entries.Count);
        return _json.SendAsync<SendMessageBatchRequest, SqsBatchResult>("SendMessageBatch", new(queueUrl, entries), cancellationToken);
    }

    /// <summary>Long-polls for up to <paramref name="wait"/> (at most 20 s) and returns up to <paramref name="max"/> messages with all attributes.</summary>
    public async Task<IReadOnlyList<SqsMessage>> ReceiveMessagesAsync(string queueUrl, int max, TimeSpan wait, TimeSpan? visibility,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, MaxBatchEntries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wait, MaxWait);
        var request = new ReceiveMessageRequest(queueUrl, max, (int)wait.TotalSeconds, visibility is null ? null : Seconds(visibility.Value),
            AllNames, AllNames);
        var response = await _json.SendAsync<ReceiveMessageRequest, ReceiveMessageResponse>("ReceiveMessage", request, cancellationToken, wait)
            .ConfigureAwait(false);
        return response.Messages ?? [];
    }

    public Task DeleteMessageAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken) =>
        _json.SendAsync<DeleteMessageRequest, EmptyResponse>("DeleteMessage", new(queueUrl, receiptHandle), cancellationToken);

    public Task<SqsBatchResult> DeleteMessageBatchAsync(string queueUrl, IReadOnlyList<SqsDeleteEntry> entries, CancellationToken cancellationToken)
    {
        CheckBatch(entries.Count);
        return _json.SendAsync<DeleteMessageBatchRequest, SqsBatchResult>("DeleteMessageBatch", new(queueUrl, entries), cancellationToken);
    }

    public Task ChangeVisibilityAsync(string queueUrl, string receiptHandle, TimeSpan visibility, CancellationToken cancellationToken) =>
        _json.SendAsync<ChangeVisibilityRequest, EmptyResponse>("ChangeMessageVisibility",
            new(queueUrl, receiptHandle, Seconds(visibility)), cancellationToken);

    public Task<SqsBatchResult> ChangeVisibilityBatchAsync(string queueUrl, IReadOnlyList<SqsVisibilityEntry> entries, CancellationToken cancellationToken)
    {
        CheckBatch(entries.Count);
        return _json.SendAsync<ChangeVisibilityBatchRequest, SqsBatchResult>("ChangeMessageVisibilityBatch", new(queueUrl, entries), cancellationToken);
    }

    /// <summary>Queue attributes such as ApproximateNumberOfMessages; <c>All</c> when none are named.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IReadOnlyList<string>? names,
        CancellationToken cancellationToken)
    {
        var response = await _json.SendAsync<GetQueueAttributesRequest, GetQueueAttributesResponse>("GetQueueAttributes",
            new(queueUrl, names ?? AllNames), cancellationToken).ConfigureAwait(false);
        return response.Attributes ?? [];
    }

    // The visibility timeout of one receive is capped at 12 h by SQS; asking for more is a bug in the caller.
    private static int Seconds(TimeSpan visibility)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(visibility, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(visibility, MaxVisibility);
        return (int)Math.Ceiling(visibility.TotalSeconds);
    }

    private static void CheckBatch(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBatchEntries);
    }
}
