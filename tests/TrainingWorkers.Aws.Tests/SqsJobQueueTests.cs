using System.Diagnostics;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
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
        Assert.InRange(job.SentAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
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
        await sqs.SendMessageAsync(url, body);

        var job = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Null(job.Job);
        Assert.Equal(body, job.Body);
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
    public async Task ReleaseAndExtend_ReceivedJob_VisibilityFollowsAndReceiveCountGrows()
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
        Assert.Equal(1, first.ReceiveCount);
        Assert.Equal(2, again.ReceiveCount);
        Assert.Equal(first.MessageId, again.MessageId);
    }

    [Fact]
    public async Task Receive_JobArrivesDuringLongPoll_ReturnsWithItBeforeTheWaitEnds()
    {
        var transport = new RecordingHttpClientFactory();
        var (queue, _, _) = await NewQueueAsync(transport: transport);
        using var spec = JsonDocument.Parse("{}");

        var clock = Stopwatch.StartNew();
        var receive = queue.ReceiveAsync(1, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), CancellationToken.None);
        await transport.SentAsync("ReceiveMessage").WaitAsync(TimeSpan.FromSeconds(10));
        await queue.SubmitAsync(new JobMessage { JobId = "late", Spec = spec.RootElement }, CancellationToken.None);
        var jobs = await receive.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("late", Assert.Single(jobs).Job!.JobId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"the long poll returned after {clock.Elapsed}, not when the job arrived");
    }

    [Fact]
    public async Task Receive_EmptyQueue_WaitsForTheLongPollAndReturnsNothing()
    {
        var (queue, _, _) = await NewQueueAsync();

        var clock = Stopwatch.StartNew();
        var jobs = await queue.ReceiveAsync(10, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), CancellationToken.None);

        // The SDK answers an empty poll with a null list; the port answers with an empty one.
        Assert.Empty(jobs);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"returned after {clock.Elapsed}: the wait was not passed on");
    }

    [Fact]
    public async Task DeadLetter_QueueWithRedrivePolicy_BodyMovesWithReasonAndTheOriginalIsDeleted()
    {
        var connection = _moto.Connection();
        var sqs = connection.CreateClient<IAmazonSQS>();
        var dlqUrl = (await sqs.CreateQueueAsync(MotoFixture.RandomName("dlq"))).QueueUrl;
        var dlqArn = (await sqs.GetQueueAttributesAsync(dlqUrl, ["QueueArn"])).Attributes["QueueArn"];
        var redrive = new Dictionary<string, string> { ["RedrivePolicy"] = new SqsRedrivePolicy(dlqArn, 4).ToJson(), ["VisibilityTimeout"] = "45" };
        var (queue, _, _) = await NewQueueAsync(connection, redrive);
        using var spec = JsonDocument.Parse("""{"name":"doomed"}""");
        await queue.SubmitAsync(new JobMessage { JobId = "doomed", Spec = spec.RootElement }, CancellationToken.None);
        var job = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), CancellationToken.None));

        var policy = await queue.GetPolicyAsync(CancellationToken.None);
        await queue.DeadLetterAsync(job, "failed 3 of 3 attempts: exited with code 1", CancellationToken.None);

        // moto writes maxReceiveCount as a number; the policy reads it either way.
        Assert.Equal(new QueuePolicy(TimeSpan.FromSeconds(45), 4, dlqUrl[(dlqUrl.LastIndexOf('/') + 1)..]), policy);
        var dead = Assert.Single((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(dlqUrl) { WaitTimeSeconds = 5, MessageAttributeNames = ["All"] })).Messages);
        Assert.Equal(job.Body, dead.Body);
        Assert.Equal("failed 3 of 3 attempts: exited with code 1", dead.MessageAttributes["tw-reason"].StringValue);
        Assert.Equal("1", dead.MessageAttributes["tw-receive-count"].StringValue);
        Assert.Equal("doomed", dead.MessageAttributes["tw-job-id"].StringValue);
        Assert.Equal(new QueueDepth(0, 0, 0), await queue.GetDepthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DeadLetter_QueueWithoutRedrivePolicy_MessageOnlyDeleted()
    {
        var (queue, _, _) = await NewQueueAsync();
        using var spec = JsonDocument.Parse("{}");
        await queue.SubmitAsync(new JobMessage { JobId = "j", Spec = spec.RootElement }, CancellationToken.None);
        var job = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), CancellationToken.None));

        var policy = await queue.GetPolicyAsync(CancellationToken.None);
        await queue.DeadLetterAsync(job, "not a job", CancellationToken.None);

        Assert.Null(policy.MaxReceiveCount);
        Assert.Null(policy.DeadLetterQueue);
        Assert.Equal(new QueueDepth(0, 0, 0), await queue.GetDepthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetPolicy_QueueMissing_FatalErrorAfterOneRequest()
    {
        var transport = new RecordingHttpClientFactory();
        var (_, sqs, url) = await NewQueueAsync(transport: transport);
        var missing = new SqsJobQueue(sqs, url + "-missing", NullLogger<SqsJobQueue>.Instance);
        var before = transport.Requests.Count;

        var e = await Assert.ThrowsAsync<AwsServiceException>(() => missing.GetPolicyAsync(CancellationToken.None));

        Assert.True(e.IsFatal, e.ToString());
        // SQS's JSON protocol keeps the query protocol's code for compatibility, and the SDK reports that one.
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", e.ErrorCode);
        Assert.Equal(("sqs", "GetQueueAttributes"), (e.Service, e.Operation));
        Assert.Equal(1, transport.Requests.Count - before);
    }

    private async Task<(SqsJobQueue Queue, IAmazonSQS Sqs, string Url)> NewQueueAsync(AwsConnection? connection = null,
        Dictionary<string, string>? attributes = null, RecordingHttpClientFactory? transport = null)
    {
        var sqs = (connection ?? _moto.Connection()).CreateClient<IAmazonSQS>(config => config.HttpClientFactory = transport);
        var url = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = MotoFixture.RandomName("jobs"), Attributes = attributes })).QueueUrl;
        return (new SqsJobQueue(sqs, url, NullLogger<SqsJobQueue>.Instance), sqs, url);
    }
}
