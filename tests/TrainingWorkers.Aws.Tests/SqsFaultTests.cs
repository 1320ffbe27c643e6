using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using TrainingWorkers.Aws.Sqs;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class SqsFaultTests
{
    private readonly MotoFixture _moto;

    public SqsFaultTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task Send_StubAlwaysThrottles_RetriedReSignedThenTransientErrorWithoutSecrets()
    {
        var authorizations = new List<string>();
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            lock (authorizations) authorizations.Add(context.Request.Headers.Authorization.ToString());
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/x-amz-json-1.0";
            // Real services sometimes echo parts of the request; make sure nothing of it reaches our messages.
            await context.Response.WriteAsync(
                $"{{\"__type\":\"com.amazonaws.sqs#ThrottlingException\",\"message\":\"Rate exceeded for {context.Request.Headers.Authorization}\"}}");
        });
        var credentials = new CountingCredentials();
        var connection = _moto.Connection(_moto.Options(o =>
        {
            o.ServiceUrl = stub.Url;
            o.MaxAttempts = 4;
        }), credentials);
        var sqs = new SqsClient(connection.CreateSignedClient("sqs"), connection);

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AwsServiceException>(
            () => sqs.SendMessageAsync(stub.Url + "123/q", "x", null, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(e.IsTransient);
        Assert.Equal("ThrottlingException", e.ErrorCode);
        Assert.Equal(4, authorizations.Count);
        Assert.All(authorizations, a => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=" + MotoFixture.AccessKeyId, a, StringComparison.Ordinal));
        Assert.Equal(4, credentials.Count);
        Assert.DoesNotContain(MotoFixture.AccessKeyId, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MotoFixture.SecretKey, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Signature=", e.Message.Replace("Signature=<redacted>", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Send_EmulatorStoppedMidRun_TransientNetworkErrorAfterRetriesNotAHang()
    {
        var own = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
        var connection = _moto.Connection(_moto.Options(o => o.ServiceUrl = own.Url));
        var sqs = new SqsClient(connection.CreateSignedClient("sqs"), connection);
        string url;
        try
        {
            url = await sqs.CreateQueueAsync(MotoFixture.RandomName("stop"), null, CancellationToken.None);
            await sqs.SendMessageAsync(url, "before", null, CancellationToken.None);
        }
        finally
        {
            await own.DisposeAsync();
        }

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<AwsServiceException>(
            () => sqs.SendMessageAsync(url, "after", null, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(e.IsTransient);
        Assert.Equal("NetworkError", e.ErrorCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Receive_StubNeverAnswers_AttemptTimeoutSurfacesAsTransient()
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
        var sqs = new SqsClient(connection.CreateSignedClient("sqs"), connection);

        var e = await Assert.ThrowsAsync<AwsServiceException>(
            () => sqs.ReceiveMessagesAsync(stub.Url + "123/q", 1, TimeSpan.FromSeconds(1), null, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));
        release.TrySetResult();

        Assert.Equal("Timeout", e.ErrorCode);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Send_CallerCancels_OperationCanceledNotWrapped()
    {
        var connection = _moto.Connection();
        var sqs = new SqsClient(connection.CreateSignedClient("sqs"), connection);
        var url = await sqs.CreateQueueAsync(MotoFixture.RandomName("cancel"), null, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => sqs.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(10), null, cancel.Token)).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
