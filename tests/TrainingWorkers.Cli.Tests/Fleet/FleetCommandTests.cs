using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Tests.Fleet;

/// <summary>The fleet commands as a user runs them: real `tw` processes against a real moto, each test with its own names and environments file.</summary>
[Collection(FleetCollection.Name)]
public sealed class FleetCommandTests : IDisposable
{
    private const string ValidSpec = """
        { "apiVersion": "trainingworkers/v1", "name": "fleet-test", "data": { "train": "fashion-mnist" }, "training": { "epochs": 2 } }
        """;
    private const string InvalidSpec = """
        { "apiVersion": "trainingworkers/v1", "name": "bad", "data": { "train": "fashion-mnist" },
          "training": { "learning_rate": -0.1, "batch_size": 0 } }
        """;
    // Generous: each `tw` is a fresh .NET process, and the machine may be loaded by other builds.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly MotoFixture _moto;
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-fleet-").FullName;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];

    public FleetCommandTests(MotoFixture moto) => _moto = moto;

    private string EnvironmentsFile => Path.Combine(_dir, "config", "environments.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task EnvCreate_RunTwice_MakesQueueWithRedriveToDeadLetterQueueBucketAndTable()
    {
        var (bad, _, badError) = await Tw("env", "create", "test", "--endpoint-url", _moto.Url.ToString(), "--prefix", "Upper_Case");
        Assert.Equal(2, bad);
        Assert.Contains("--prefix: must be 1-40 lowercase letters", badError, StringComparison.Ordinal);
        Assert.False(File.Exists(EnvironmentsFile));

        var env = await CreateEnvironmentAsync("--max-receive-count", "3", "--visibility-timeout", "45");
        var (again, stdout, stderr) = await Tw("env", "create", "test", "--endpoint-url", _moto.Url.ToString(), "--prefix", _prefix);
        Assert.True(again == 0, stderr);
        Assert.Contains("exists", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("created", stdout, StringComparison.Ordinal);
        Assert.Contains("dead letters after 3 receives", stdout, StringComparison.Ordinal);
        Assert.Equal(env, ReadEnvironment("test"));

        Assert.EndsWith($"/{_prefix}-jobs", env.QueueUrl, StringComparison.Ordinal);
        Assert.EndsWith($"/{_prefix}-jobs-dlq", env.DeadLetterQueueUrl, StringComparison.Ordinal);
        await using var services = _moto.Services();
        var sqs = services.GetRequiredService<IAmazonSQS>();
        var queue = (await sqs.GetQueueAttributesAsync(env.QueueUrl, ["All"])).Attributes;
        var dlq = (await sqs.GetQueueAttributesAsync(env.DeadLetterQueueUrl, ["All"])).Attributes;
        using var redrive = JsonDocument.Parse(queue["RedrivePolicy"]);
        Assert.Equal(dlq["QueueArn"], redrive.RootElement.GetProperty("deadLetterTargetArn").GetString());
        Assert.Equal("3", redrive.RootElement.GetProperty("maxReceiveCount").ToString());
        Assert.Equal("45", queue["VisibilityTimeout"]);

        var buckets = await services.GetRequiredService<IAmazonS3>().ListBucketsAsync();
        Assert.Contains(buckets.Buckets, b => b.BucketName == $"{_prefix}-artifacts");
        var table = await services.GetRequiredService<IAmazonDynamoDB>().DescribeTableAsync($"{_prefix}-jobs");
        Assert.Equal(TableStatus.ACTIVE, table.Table.TableStatus);
        // The jobs' log group (tw logs) exists: creating it again says so.
        Assert.Equal($"/trainingworkers/{_prefix}/jobs", env.LogGroup);
        Assert.False(await services.GetRequiredService<TrainingWorkers.Aws.Logs.JobLogs>().EnsureGroupAsync(env.LogGroup, CancellationToken.None));

        // The first environment is the default; a second one does not take it over.
        var (other, _, otherError) = await Tw("env", "create", "other", "--endpoint-url", _moto.Url.ToString(), "--prefix", _prefix + "b");
        Assert.True(other == 0, otherError);
        using var file = JsonDocument.Parse(File.ReadAllText(EnvironmentsFile));
        Assert.Equal("test", file.RootElement.GetProperty("default").GetString());
        Assert.Equal(_moto.Url.ToString(), file.RootElement.GetProperty("environments").GetProperty("other").GetProperty("endpoint_url").GetString());
    }

    [Fact]
    public async Task Submit_ValidSpec_QueuesOneMessageWithTheSpecAndAQueuedRecord()
    {
        var env = await CreateEnvironmentAsync();
        var spec = WriteSpec(ValidSpec);

        var (code, stdout, stderr) = await Tw("submit", spec, "-o", "json");

        Assert.True(code == 0, stderr);
        using var submitted = JsonDocument.Parse(stdout);
        var jobId = submitted.RootElement.GetProperty("job_id").GetString()!;
        Assert.Matches(new Regex(@"^fleet-test-\d{8}-\d{6}-[0-9a-f]{6}$"), jobId);
        Assert.Equal(env.QueueUrl, submitted.RootElement.GetProperty("queue_url").GetString());
        await using var services = _moto.Services(env.QueueUrl, env.Table);
        Assert.Equal(1, (await services.GetRequiredService<IJobQueue>().GetDepthAsync(CancellationToken.None)).Waiting);
        var received = await services.GetRequiredService<IAmazonSQS>().ReceiveMessageAsync(new ReceiveMessageRequest(env.QueueUrl) { MaxNumberOfMessages = 10, VisibilityTimeout = 30 });
        var message = Assert.Single(received.Messages);
        Assert.Equal(submitted.RootElement.GetProperty("message_id").GetString(), message.MessageId);
        var (job, problem) = JobMessageCodec.Decode(message.Body, JobMessage.MaxBytes);
        Assert.Null(problem);
        Assert.Equal(jobId, job!.JobId);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ValidSpec), JsonNode.Parse(job.Spec.GetRawText())));
        var record = await services.GetRequiredService<IJobStore>().GetAsync(jobId, CancellationToken.None);
        Assert.Equal(JobStatus.Queued, record!.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ValidSpec), JsonNode.Parse(record.SpecJson)));

        var (again, _, againError) = await Tw("submit", spec, "--job-id", jobId);
        Assert.Equal(2, again);
        Assert.Contains($"job '{jobId}' already exists", againError, StringComparison.Ordinal);
        var (malformed, _, malformedError) = await Tw("submit", spec, "--job-id", "no spaces");
        Assert.Equal(2, malformed);
        Assert.Contains("--job-id: must be 1-128 letters", malformedError, StringComparison.Ordinal);
        var depth = await services.GetRequiredService<IJobQueue>().GetDepthAsync(CancellationToken.None);
        Assert.Equal((0, 1), (depth.Waiting, depth.InFlight));
    }

    [Fact]
    public async Task Submit_InvalidSpec_ExitsTwoListsEveryErrorAndQueuesNothing()
    {
        var env = await CreateEnvironmentAsync();

        var (code, _, stderr) = await Tw("submit", WriteSpec(InvalidSpec));

        Assert.Equal(2, code);
        Assert.Contains("training.learning_rate: must be > 0, got -0.1", stderr, StringComparison.Ordinal);
        Assert.Contains("training.batch_size: must be between 1 and 1048576, got 0", stderr, StringComparison.Ordinal);
        await using var services = _moto.Services(env.QueueUrl, env.Table);
        Assert.Equal(0, (await services.GetRequiredService<IJobQueue>().GetDepthAsync(CancellationToken.None)).Waiting);
        Assert.Empty(await services.GetRequiredService<IJobStore>().ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task Submit_NoValidateWithFlagsAndNoEnvironmentsFile_QueuesTheInvalidSpec()
    {
        var env = await CreateEnvironmentAsync();
        File.Delete(EnvironmentsFile);

        var (code, stdout, stderr) = await Tw("submit", WriteSpec(InvalidSpec), "--no-validate", "--job-id", "bad-1",
            "--endpoint-url", _moto.Url.ToString(), "--queue-url", env.QueueUrl, "--table", env.Table, "--region", "us-east-1");

        Assert.True(code == 0, stderr);
        Assert.Contains("submitted bad-1", stdout, StringComparison.Ordinal);
        await using var services = _moto.Services(env.QueueUrl, env.Table);
        Assert.Equal(1, (await services.GetRequiredService<IJobQueue>().GetDepthAsync(CancellationToken.None)).Waiting);
        var record = await services.GetRequiredService<IJobStore>().GetAsync("bad-1", CancellationToken.None);
        Assert.Equal(-0.1, JsonNode.Parse(record!.SpecJson)!["training"]!["learning_rate"]!.GetValue<double>());
    }

    [Fact]
    public async Task LoneSurrogateInASpec_SubmitRefusesIt_AndARecordedOneBreaksNoReadCommand()
    {
        var env = await CreateEnvironmentAsync();
        var spec = WriteSpec("""{ "apiVersion": "trainingworkers/v1", "name": "x\ud800", "data": { "train": "fashion-mnist" } }""");

        var (refused, _, refusedError) = await Tw("submit", spec);
        var (unqueued, _, unqueuedError) = await Tw("submit", spec, "--no-validate", "--job-id", "surrogate-0");
        // Sent by another client and recorded by a worker: the record holds the spec's text as it came.
        await using (var services = _moto.Services(env.QueueUrl, env.Table))
        {
            await services.GetRequiredService<IJobStore>().CreateAsync("surrogate-1", File.ReadAllText(spec), CancellationToken.None);
        }

        var (listed, listOutput, listError) = await Tw("list", "-o", "json");
        var (shown, statusOutput, statusError) = await Tw("status", "surrogate-1");
        var (shownJson, statusJson, statusJsonError) = await Tw("status", "surrogate-1", "-o", "json");

        Assert.True(refused == 2, refusedError);
        Assert.Contains("name: is not valid Unicode text", refusedError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refusedError, StringComparison.Ordinal);
        Assert.True(unqueued == 2, unqueuedError);
        Assert.Contains("not valid Unicode", unqueuedError, StringComparison.Ordinal);
        Assert.True(listed == 0, listError);
        Assert.Contains("surrogate-1", listOutput, StringComparison.Ordinal);
        Assert.True(shown == 0, statusError);
        Assert.Contains("surrogate-1", statusOutput, StringComparison.Ordinal);
        Assert.True(shownJson == 0, statusJsonError);
        Assert.Equal("surrogate-1", JsonNode.Parse(statusJson)!["job_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task StatusAndList_Json_ShowTheJobsWithProgressAndHistory()
    {
        var env = await CreateEnvironmentAsync();
        await SubmitAsync("first");
        await SubmitAsync("second");
        await using var services = _moto.Services(env.QueueUrl, env.Table);
        var store = services.GetRequiredService<IJobStore>();
        var lease = (await store.TryClaimAsync("second", "worker-a", Lease, CancellationToken.None))!;
        await store.RecordProgressAsync(lease, new JobProgress
        {
            Epoch = 2, Epochs = 5, Step = 10, Steps = 20, At = DateTimeOffset.UtcNow,
            Metrics = new Dictionary<string, double> { ["train_loss"] = 0.5, ["val_accuracy"] = 0.8 },
        }, CancellationToken.None);
        await store.RecordCheckpointAsync(lease, "e0002", CancellationToken.None);

        var (code, stdout, stderr) = await Tw("status", "second", "-o", "json");

        Assert.True(code == 0, stderr);
        var status = JsonNode.Parse(stdout)!;
        Assert.Equal("Running", status["status"]!.GetValue<string>());
        Assert.Equal("fleet-test", status["name"]!.GetValue<string>());
        Assert.Equal(1, status["attempts"]!.GetValue<int>());
        Assert.Equal("worker-a", status["lease_owner"]!.GetValue<string>());
        Assert.Equal(2, status["progress"]!["epoch"]!.GetValue<int>());
        Assert.Equal(0.8, status["progress"]!["metrics"]!["val_accuracy"]!.GetValue<double>());
        Assert.Equal("e0002", status["latest_checkpoint"]!.GetValue<string>());
        Assert.Equal(["Queued", "Running"], status["history"]!.AsArray().Select(h => h!["status"]!.GetValue<string>()));

        var (textCode, text, _) = await Tw("status", "second");
        Assert.Equal(0, textCode);
        Assert.Contains("epoch 2/5, step 10/20", text, StringComparison.Ordinal);
        Assert.Contains("val_accuracy 0.8", text, StringComparison.Ordinal);

        var (listCode, list, listError) = await Tw("list", "-o", "json");
        Assert.True(listCode == 0, listError);
        var jobs = JsonNode.Parse(list)!.AsArray();
        Assert.Equal(["second", "first"], jobs.Select(j => j!["job_id"]!.GetValue<string>()));
        Assert.Equal(["Running", "Queued"], jobs.Select(j => j!["status"]!.GetValue<string>()));

        var (unknown, _, unknownError) = await Tw("status", "nosuch");
        Assert.Equal(2, unknown);
        Assert.Contains("no job 'nosuch'", unknownError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_QueuedJob_BecomesCancelledAndWaitExits130()
    {
        var env = await CreateEnvironmentAsync();
        await SubmitAsync("c1");

        var (code, stdout, stderr) = await Tw("cancel", "c1");

        Assert.True(code == 0, stderr);
        Assert.Contains("cancelled (it had not started)", stdout, StringComparison.Ordinal);
        await using var services = _moto.Services(env.QueueUrl, env.Table);
        Assert.Equal(JobStatus.Cancelled, (await services.GetRequiredService<IJobStore>().GetAsync("c1", CancellationToken.None))!.Status);
        var (wait, _, waitError) = await Tw("wait", "c1");
        Assert.True(wait == 130, waitError);
        var (unknown, _, unknownError) = await Tw("cancel", "nosuch");
        Assert.Equal(2, unknown);
        Assert.Contains("no job 'nosuch'", unknownError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_JobSucceedsWhileWaiting_ExitsZeroAndPrintsTheModelUri()
    {
        var env = await CreateEnvironmentAsync();
        await SubmitAsync("w1");
        using var wait = TwProcess.Start(_dir, MotoFixture.TwEnvironment(EnvironmentsFile), "wait", "w1", "--poll", "0.2");
        await using var services = _moto.Services(env.QueueUrl, env.Table);
        var store = services.GetRequiredService<IJobStore>();
        var lease = (await store.TryClaimAsync("w1", "worker-a", Lease, CancellationToken.None))!;
        var model = $"s3://{env.Bucket}/jobs/w1/model/model.pt";
        await store.FinishAsync(lease, JobStatus.Succeeded, new JobOutcome
        {
            ModelUri = model, FinalMetrics = new Dictionary<string, double> { ["test_accuracy"] = 0.91 },
        }, CancellationToken.None);

        var code = await wait.WaitAsync(Timeout);

        Assert.True(code == 0, wait.Stderr);
        Assert.Contains("model: " + model, wait.Stdout, StringComparison.Ordinal);
        Assert.Contains("test_accuracy 0.91", wait.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_JobFailed_ExitsThreeWithTheErrorAsJson()
    {
        var env = await CreateEnvironmentAsync();
        await SubmitAsync("f1");
        await using var services = _moto.Services(env.QueueUrl, env.Table);
        var store = services.GetRequiredService<IJobStore>();
        var lease = (await store.TryClaimAsync("f1", "worker-a", Lease, CancellationToken.None))!;
        await store.FinishAsync(lease, JobStatus.Failed, new JobOutcome { Error = "out of memory" }, CancellationToken.None);

        var (code, stdout, stderr) = await Tw("wait", "f1", "-o", "json");

        Assert.True(code == 3, stderr);
        var job = JsonNode.Parse(stdout)!;
        Assert.Equal("Failed", job["status"]!.GetValue<string>());
        Assert.Equal("out of memory", job["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Wait_JobStillQueuedPastTimeout_Exits124()
    {
        await CreateEnvironmentAsync();
        await SubmitAsync("slow");

        var (code, stdout, stderr) = await Tw("wait", "slow", "--timeout", "1", "--poll", "0.2");

        Assert.True(code == 124, stderr);
        Assert.Contains("timed out", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEnvironment_ExitsTwoNamingTheFileAndTheKnownNames()
    {
        await CreateEnvironmentAsync();

        var (code, _, stderr) = await Tw("list", "--env", "nope");

        Assert.Equal(2, code);
        Assert.Contains($"environment 'nope' is not in {EnvironmentsFile} (known: test)", stderr, StringComparison.Ordinal);
        File.Delete(EnvironmentsFile);
        var (missing, _, missingError) = await Tw("status", "x", "--env", "test");
        Assert.Equal(2, missing);
        Assert.Contains($"{EnvironmentsFile} does not exist", missingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_QueueMissing_ExitsOneWithOneLineAndCancelsTheRecord()
    {
        var env = await CreateEnvironmentAsync();
        var missing = env.QueueUrl + "-missing";

        var (code, _, stderr) = await Tw("submit", WriteSpec(ValidSpec), "--job-id", "lost", "--queue-url", missing);

        Assert.Equal(1, code);
        Assert.Contains("tw submit: sqs SendMessage failed: AWS.SimpleQueueService.NonExistentQueue", stderr, StringComparison.Ordinal);
        Assert.Contains("the job was recorded but not queued, and its record lost is now Cancelled", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        await using var services = _moto.Services(env.QueueUrl, env.Table);
        Assert.Equal(JobStatus.Cancelled, (await services.GetRequiredService<IJobStore>().GetAsync("lost", CancellationToken.None))!.Status);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Tw(params string[] args) =>
        TwProcess.RunAsync(_dir, MotoFixture.TwEnvironment(EnvironmentsFile), Timeout, args);

    private async Task<TestEnvironment> CreateEnvironmentAsync(params string[] extra)
    {
        var (code, stdout, stderr) = await Tw(["env", "create", "test", "--endpoint-url", _moto.Url.ToString(), "--prefix", _prefix, .. extra]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("created", stdout, StringComparison.Ordinal);
        return ReadEnvironment("test");
    }

    private async Task SubmitAsync(string jobId)
    {
        var (code, _, stderr) = await Tw("submit", WriteSpec(ValidSpec), "--job-id", jobId);
        Assert.True(code == 0, stderr);
    }

    private TestEnvironment ReadEnvironment(string name)
    {
        var env = JsonNode.Parse(File.ReadAllText(EnvironmentsFile))!["environments"]![name]!;
        string Field(string field) => env[field]!.GetValue<string>();
        return new TestEnvironment(Field("queue_url"), Field("dead_letter_queue_url"), Field("table"), Field("bucket"), Field("log_group"));
    }

    private string WriteSpec(string json)
    {
        var path = Path.Combine(_dir, $"job-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private sealed record TestEnvironment(string QueueUrl, string DeadLetterQueueUrl, string Table, string Bucket, string LogGroup);
}
