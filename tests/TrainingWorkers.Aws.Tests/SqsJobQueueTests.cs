using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.Sqs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class SqsJobQueueTests
{
    private readonly MotoFixture _moto;

    public SqsJobQueueTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task SubmitReceiveComplete_ValidJob_RoundTripsAndLeavesQueueEmpty()
    {
        var (queue, _, _) = await NewQueueAsync();
        using var spec = JsonDocument.Parse("""{"name":"mnist","epochs":2}""");

        await queue.SubmitAsync(new JobMessage { JobId = "job-1", Spec = spec.RootElement }, CancellationToken.None);
        var depth = await queue.GetDepthAsync(CancellationToken.None);
        var job = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), CancellationToken.None));
        var inFlight = await queue.GetDepthAsync(CancellationToken.None);
        await queue.CompleteAsync(job, CancellationToken.None);

        Assert.Equal(new QueueDepth(1, 0, 0), depth);
        Assert.Equal(new QueueDepth(0, 1, 0), inFlight);
        Assert.Null(job.Problem);
        Assert.Equal("job-1", job.Job!.JobId);
        Assert.Equal(2, job.Job.Spec.GetProperty("epochs").GetInt32());
        Assert.Equal(new QueueDepth(0, 0, 0), await queue.GetDepthAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"version":2,"job_id":"j","spec":{}}""", "version 2 is not supported")]
    [InlineData("""{"job_id":"j","spec":{}}""", "'version' must be the integer 1, got nothing")]
    [InlineData("""{"version":1,"job_id":"j","spec":[1]}""", "'spec' must be a JSON object, got an array")]
    [InlineData("[1,2]", "not a JSON object")]
    public async Task Receive_BadMessage_ReturnedWithProblemNotThrown(string body, string problem)
    {
        var (queue, sqs, url) = await NewQueueAsync();
        await sqs.SendMessageAsync(url, body, null, CancellationToken.None);

        var job = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Null(job.Job);
        Assert.Contains(problem, job.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_SpecOverSqsLimit_RefusedBeforeSending()
    {
        var (queue, _, _) = await NewQueueAsync();
        using var spec = JsonDocument.Parse($$"""{"blob":"{{new string('x', 300 * 1024)}}"}""");

        var e = await Assert.ThrowsAsync<InvalidJobMessageException>(
            () => queue.SubmitAsync(new JobMessage { JobId = "big", Spec = spec.RootElement }, CancellationToken.None));

        Assert.Contains("at most 262144", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await queue.GetDepthAsync(CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task ReleaseAndExtend_ReceivedJob_VisibilityFollows()
    {
        var (queue, _, _) = await NewQueueAsync();
        using var spec = JsonDocument.Parse("{}");
        await queue.SubmitAsync(new JobMessage { JobId = "j", Spec = spec.RootElement }, CancellationToken.None);

        var first = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), CancellationToken.None));
        await queue.ExtendAsync(first, TimeSpan.FromHours(1), CancellationToken.None);
        var hidden = await queue.ReceiveAsync(1, TimeSpan.Zero, TimeSpan.FromSeconds(30), CancellationToken.None);
        await queue.ReleaseAsync(first, CancellationToken.None);
        var again = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.Empty(hidden);
        Assert.Equal(2, again.ReceiveCount);
    }

    private async Task<(SqsJobQueue Queue, SqsClient Sqs, string Url)> NewQueueAsync()
    {
        var connection = _moto.Connection();
        var sqs = new SqsClient(connection.CreateSignedClient("sqs"), connection);
        var url = await sqs.CreateQueueAsync(MotoFixture.RandomName("jobs"), null, CancellationToken.None);
        return (new SqsJobQueue(sqs, url, NullLogger<SqsJobQueue>.Instance), sqs, url);
    }
}
