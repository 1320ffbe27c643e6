using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.SQS;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Aws.Sqs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Aws.Tests;

/// <summary>How the SDK-backed adapters fail: throttling, a dead endpoint, a silent one, the caller's cancellation.</summary>
[Collection(MotoCollection.Name)]
public sealed class SqsFaultTests
{
    private readonly MotoFixture _moto;

    public SqsFaultTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task Submit_StubAlwaysThrottles_RetriedReSignedThenTransientErrorWithoutSecrets()
    {
        var authorizations = new List<string>();
        var signedAt = new List<DateTimeOffset>();
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            lock (authorizations)
            {
                authorizations.Add(context.Request.Headers.Authorization.ToString());
                signedAt.Add(DateTimeOffset.ParseExact(context.Request.Headers["X-Amz-Date"].ToString(), "yyyyMMdd'T'HHmmss'Z'",
                    CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
            }

            // Answered after more than a second: the next attempt is signed at least that much later, in a later second.
            await Task.Delay(TimeSpan.FromSeconds(1.2));
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/x-amz-json-1.0";
            // Real services sometimes echo parts of the request; make sure nothing of it reaches our messages.
            await context.Response.WriteAsync(
                $"{{\"__type\":\"com.amazonaws.sqs#ThrottlingException\",\"message\":\"Rate exceeded for {context.Request.Headers.Authorization}\"}}");
        });
        var queue = Queue(_moto.Connection(_moto.Options(o =>
        {
            o.ServiceUrl = stub.Url;
            o.MaxAttempts = 4;
        })), stub.Url + "123/q");

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AwsServiceException>(() => queue.SubmitAsync(Job("throttled"), CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(e.IsTransient);
        Assert.Equal("ThrottlingException", e.ErrorCode);
        Assert.Equal(("sqs", "SendMessage"), (e.Service, e.Operation));
        Assert.Equal(4, authorizations.Count);
        Assert.All(authorizations, a => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=" + MotoFixture.AccessKeyId, a, StringComparison.Ordinal));
        // Each attempt was signed when it was sent, not the first signature and timestamp replayed.
        Assert.Equal(signedAt.Order(), signedAt);
        Assert.Equal(4, signedAt.Distinct().Count());
        Assert.DoesNotContain(MotoFixture.AccessKeyId, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MotoFixture.SecretKey, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Signature=", e.Message.Replace("Signature=<redacted>", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Submit_EmulatorStoppedMidRun_TransientNetworkErrorAfterRetriesNotAHang()
    {
        var own = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
        var connection = _moto.Connection(_moto.Options(o => o.ServiceUrl = own.Url));
        SqsJobQueue queue;
        try
        {
            var url = (await connection.CreateClient<IAmazonSQS>().CreateQueueAsync(MotoFixture.RandomName("stop"))).QueueUrl;
            queue = Queue(connection, url);
            await queue.SubmitAsync(Job("before"), CancellationToken.None);
        }
        finally
        {
            await own.DisposeAsync();
        }

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AwsServiceException>(() => queue.SubmitAsync(Job("after"), CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(e.IsTransient, e.ToString());
        Assert.Equal("NetworkError", e.ErrorCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task SdkCall_StubNeverAnswers_AttemptTimeoutSurfacesAsTransient()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            try
            {
                await release.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up, as it should.
            }
        });
        var connection = _moto.Connection(_moto.Options(o =>
        {
            o.ServiceUrl = stub.Url;
            o.MaxAttempts = 2;
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
        }));
        // DynamoDB's attempts get AttemptTimeout alone; SQS's 20 s more for a long poll (checked below), too long to wait for here.
        var store = new DynamoJobStore(connection.CreateClient<IAmazonDynamoDB>(), "tw-jobs", TimeProvider.System);

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AwsServiceException>(() => store.GetAsync("j", CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));
        release.TrySetResult();

        Assert.Equal("Timeout", e.ErrorCode);
        Assert.True(e.IsTransient);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(TimeSpan.FromSeconds(21), connection.CreateClient<IAmazonSQS>().Config.Timeout);
    }

    [Fact]
    public async Task Receive_CallerCancels_OperationCanceledNotWrapped()
    {
        var connection = _moto.Connection();
        var url = (await connection.CreateClient<IAmazonSQS>().CreateQueueAsync(MotoFixture.RandomName("cancel"))).QueueUrl;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Queue(connection, url).ReceiveAsync(1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), cancel.Token)).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static SqsJobQueue Queue(AwsConnection connection, string url) =>
        new(connection.CreateClient<IAmazonSQS>(), url, NullLogger<SqsJobQueue>.Instance);

    private static JobMessage Job(string id) => new() { JobId = id, Spec = JsonDocument.Parse("{}").RootElement.Clone() };
}
