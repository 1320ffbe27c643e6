using System.Diagnostics;
using TrainingWorkers.Aws.Sqs;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class SqsClientTests
{
    private readonly MotoFixture _moto;

    public SqsClientTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task Receive_MessageArrivesDuringLongPoll_ReturnsWithItBeforeTheWaitEnds()
    {
        var pollSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = _moto.Connection();
        var sqs = new SqsClient(connection.CreateSignedClient("sqs", new SignalingHandler("ReceiveMessage", pollSent)), connection);
        var url = await sqs.CreateQueueAsync(MotoFixture.RandomName("poll"), null, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        var receive = sqs.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), CancellationToken.None);
        await pollSent.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await sqs.SendMessageAsync(url, "hello", null, CancellationToken.None);
        var messages = await receive.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("hello", Assert.Single(messages).Body);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"the long poll returned after {clock.Elapsed}, not when the message arrived");
    }

    [Fact]
    public async Task Receive_EmptyQueue_WaitsForTheLongPollAndReturnsNothing()
    {
        var sqs = NewClient(out _);
        var url = await sqs.CreateQueueAsync(MotoFixture.RandomName("empty"), null, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        var messages = await sqs.ReceiveMessagesAsync(url, 10, TimeSpan.FromSeconds(2), null, CancellationToken.None);

        Assert.Empty(messages);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"returned after {clock.Elapsed}: the wait was not passed on");
    }

    [Fact]
    public async Task ChangeVisibility_HiddenMessageReleased_ReceivedAgainWithHigherCount()
    {
        var sqs = NewClient(out _);
        var url = await sqs.CreateQueueAsync(MotoFixture.RandomName("vis"), null, CancellationToken.None);
        await sqs.SendMessageAsync(url, "job", new Dictionary<string, SqsAttributeValue> { ["kind"] = new("String", "train") }, CancellationToken.None);

        var first = Assert.Single(await sqs.ReceiveMessagesAsync(url, 1, TimeSpan.Zero, TimeSpan.FromMinutes(5), CancellationToken.None));
        var whileHidden = await sqs.ReceiveMessagesAsync(url, 1, TimeSpan.Zero, null, CancellationToken.None);
        await sqs.ChangeVisibilityAsync(url, first.ReceiptHandle, TimeSpan.Zero, CancellationToken.None);
        var second = Assert.Single(await sqs.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), CancellationToken.None));

        Assert.Empty(whileHidden);
        Assert.Equal(1, first.ReceiveCount);
        Assert.Equal(2, second.ReceiveCount);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal("train", second.MessageAttributes["kind"].StringValue);
        Assert.True(second.SentAt > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task BatchVariants_SendHideDelete_ReportPerEntryOutcomeAndDepth()
    {
        var sqs = NewClient(out _);
        var url = await sqs.CreateQueueAsync(MotoFixture.RandomName("batch"), null, CancellationToken.None);

        var sent = await sqs.SendMessageBatchAsync(url, [new("a", "1"), new("b", "2"), new("c", "3")], CancellationToken.None);
        var depthBefore = await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"], CancellationToken.None);
        var received = new List<SqsMessage>();
        for (var i = 0; i < 5 && received.Count < 3; i++)
        {
            received.AddRange(await sqs.ReceiveMessagesAsync(url, 10, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), CancellationToken.None));
        }

        var hidden = await sqs.ChangeVisibilityBatchAsync(url,
            [.. received.Select((m, i) => new SqsVisibilityEntry($"v{i}", m.ReceiptHandle, 600)), new SqsVisibilityEntry("bad", "not-a-handle", 600)],
            CancellationToken.None);
        var deleted = await sqs.DeleteMessageBatchAsync(url, [.. received.Select((m, i) => new SqsDeleteEntry($"d{i}", m.ReceiptHandle))], CancellationToken.None);
        var depthAfter = await sqs.GetQueueAttributesAsync(url, null, CancellationToken.None);

        Assert.Equal(3, sent.Successful.Count);
        Assert.Equal("3", depthBefore["ApproximateNumberOfMessages"]);
        Assert.Equal(["1", "2", "3"], received.Select(m => m.Body).Order());
        Assert.Equal(3, hidden.Successful.Count);
        Assert.Equal("bad", Assert.Single(hidden.Failed).Id);
        Assert.Equal(3, deleted.Successful.Count);
        Assert.Equal("0", depthAfter["ApproximateNumberOfMessages"]);
        Assert.Equal("0", depthAfter["ApproximateNumberOfMessagesNotVisible"]);
    }

    [Fact]
    public async Task GetQueueUrl_QueueMissing_FatalErrorWithoutRetries()
    {
        var credentials = new CountingCredentials();
        var connection = _moto.Connection(credentials: credentials);
        var sqs = new SqsClient(connection.CreateSignedClient("sqs"), connection);

        var e = await Assert.ThrowsAsync<AwsServiceException>(() => sqs.GetQueueUrlAsync("no-such-queue", CancellationToken.None));

        Assert.Equal("QueueDoesNotExist", e.ErrorCode);
        Assert.True(e.IsFatal);
        Assert.False(e.IsTransient);
        Assert.Equal(1, credentials.Count);
    }

    private SqsClient NewClient(out AwsConnection connection)
    {
        connection = _moto.Connection();
        return new SqsClient(connection.CreateSignedClient("sqs"), connection);
    }

    /// <summary>Completes a signal when a request for the named operation goes out.</summary>
    private sealed class SignalingHandler(string operation, TaskCompletionSource sent) : DelegatingHandler(AwsConnection.CreateTransport())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var v) ? v.First() : "";
            var response = base.SendAsync(request, cancellationToken);
            if (target.EndsWith("." + operation, StringComparison.Ordinal)) sent.TrySetResult();
            return response;
        }
    }
}
