using System.Diagnostics;
using System.Text.Json;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker.Tests;

/// <summary>
/// Failures through real workers on the emulator: bad input fails on the first attempt naming its field, a fatal AWS
/// error stops the worker (exit 3) and gives the job back, and a stopping worker gives back what its last poll brought.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class FailureTests(MotoFixture moto)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    public static TheoryData<string, string, string> BadInputJobs => new()
    {
        // A TorchScript model outside the locations the worker allows.
        { "model-outside", """{ "type": "torchscript", "path": "/etc/hostname" }""", "model.path" },
        // fp16 on a worker whose libtorch sees no GPU (device auto).
        { "fp16-on-cpu", """{ "type": "mlp", "hidden": [16] }""", "training.precision" },
    };

    [Theory]
    [MemberData(nameof(BadInputJobs))]
    public async Task BadInputFoundByTheRank_FailsOnTheFirstAttemptWithoutARestart_NamingTheField(string jobId, string model, string field)
    {
        if (field == "training.precision" && TrainingWorkers.Engine.Torch.CudaDeviceCount > 0) return;
        await using var fleet = await Fleet.CreateAsync(moto.Server, trainExamples: 300, testExamples: 50);
        var worker = fleet.StartWorker("worker-a", new Dictionary<string, string> { ["TW_Worker__MaxRankRestarts"] = "2" });
        var spec = JsonDocument.Parse($$"""
            { "apiVersion": "trainingworkers/v1", "name": "{{jobId}}", "model": {{model}},
              "data": { "format": "idx", "train": "{{fleet.DataUri}}" },
              "training": { "epochs": 1, "threads": 1{{(field == "training.precision" ? ", \"precision\": \"fp16\", \"device\": \"auto\"" : "")}} } }
            """).RootElement.Clone();
        await fleet.SubmitAsync(jobId, spec);

        var done = await fleet.WaitForEndAsync(jobId, JobTimeout);

        Assert.True(done.Status == JobStatus.Failed, $"{done.Status} {done.Error}\n{worker.Log}");
        Assert.Equal((1, 0), (done.Attempts, done.FailedAttempts));
        Assert.StartsWith($"invalid_input: rank 0: {field}: ", done.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("restarting: True", worker.Log, StringComparison.Ordinal);
        Assert.Equal((0, 0), await fleet.QueueDepthAsync(0, 0));
    }

    [Fact]
    public async Task TableDeletedUnderARunningWorker_WorkerExits3WithOneLine_AndNoJobIsDeadLettered()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server);
        var worker = await fleet.StartTrainingAsync("worker-a", "stranded", epochs: 30);

        await Aws(fleet, "dynamodb", "delete-table", "--table-name", fleet.Table);

        Assert.Equal(3, await worker.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var fatal = worker.Log.Split('\n').Where(l => l.Contains("The worker stops for good (exit code 3):", StringComparison.Ordinal)).ToList();
        Assert.True(fatal.Count == 1, worker.Log);
        Assert.Contains("ResourceNotFoundException", fatal[0], StringComparison.Ordinal);
        Assert.Equal("0", await Aws(fleet, "sqs", "get-queue-attributes", "--queue-url", fleet.DeadLetterQueueUrl,
            "--attribute-names", "ApproximateNumberOfMessages", "--query", "Attributes.ApproximateNumberOfMessages", "--output", "text"));
        // Given back, not left hidden for its visibility timeout: another worker (with a table) could take it now.
        Assert.Equal((1, 0), await fleet.QueueDepthAsync(1, 0));
    }

    [Fact]
    public async Task JobSubmittedAsAWorkerStops_IsGivenBackAndStartsElsewhereWithoutWaitingForTheVisibilityTimeout()
    {
        await using var fleet = await Fleet.CreateAsync(moto.Server, trainExamples: 300, testExamples: 50);
        // A long poll of 20 s, as on AWS, and a visibility timeout long enough to tell "given back" from "waited out".
        var slow = new Dictionary<string, string> { ["TW_Worker__PollWait"] = "00:00:20", ["TW_Worker__LeaseDuration"] = "00:00:40" };
        var stopping = fleet.StartWorker("worker-a", slow);
        await stopping.WaitForLogAsync("polling", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1));

        stopping.Terminate();
        var clock = Stopwatch.StartNew();
        await fleet.SubmitAsync("timely", fleet.Spec("timely", epochs: 1));
        Assert.Equal(0, await stopping.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        var other = fleet.StartWorker("worker-b", slow);
        await fleet.WaitForAsync("timely", r => r.Status != JobStatus.Queued, TimeSpan.FromSeconds(35), "claimed");
        var claimedAfter = clock.Elapsed;

        var claims = (await fleet.Store.GetHistoryAsync("timely", CancellationToken.None)).Where(h => h.Status == JobStatus.Running).ToList();
        Assert.Equal("worker-b", Assert.Single(claims).WorkerId);
        Assert.True(claimedAfter < TimeSpan.FromSeconds(35), $"claimed {claimedAfter} after submission");
        Assert.Contains("given back at once", stopping.Log, StringComparison.Ordinal);
        Assert.True((await fleet.WaitForEndAsync("timely", JobTimeout)).Status == JobStatus.Succeeded, other.Log);
    }

    // The AWS CLI against the emulator: a real client, as an operator would use.
    private static async Task<string> Aws(Fleet fleet, params string[] args)
    {
        var info = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args.Append("--endpoint-url").Append(fleet.Moto.Url.ToString())) info.ArgumentList.Add(a);
        foreach (var (key, value) in MotoFixture.ChildEnvironment()) info.Environment[key] = value;
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"aws {string.Join(' ', args)}: {error}");
        return output.Trim();
    }
}
