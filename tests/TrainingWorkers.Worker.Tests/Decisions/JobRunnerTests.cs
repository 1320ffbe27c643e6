using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>
/// The worker's decisions from message to settled job, on the in-memory queue and store with a scripted attempt:
/// what is retried and when, what fails at once, what is given back. The end-to-end tests run the same paths for real.
/// </summary>
public sealed class JobRunnerTests
{
    private const string Spec = """{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "fashion-mnist" } }""";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private readonly InMemoryJobQueue _queue = new(TimeProvider.System, new QueuePolicy(Lease, MaxReceiveCount: 5, DeadLetterQueue: "dlq"));
    private readonly InMemoryJobStore _store = new(TimeProvider.System);
    private readonly Lifetime _lifetime = new();
    private readonly ScriptedAttempts _attempts = new();
    private readonly CountedOutcomes _outcomes = new();
    private readonly WorkerState _state;
    private readonly JobRunner _runner;

    public JobRunnerTests()
    {
        var options = Options.Create(new WorkerOptions { LeaseDuration = Lease, MaxAttempts = 3, RetryBackoff = TimeSpan.FromSeconds(30) });
        _state = new WorkerState(TimeProvider.System, _lifetime);
        var settlement = new JobSettlement(_queue, _store, options, _state, TimeProvider.System, NullLogger<JobSettlement>.Instance)
        {
            Policy = new QueuePolicy(Lease, 5, "dlq"),
        };
        _runner = new JobRunner(_queue, _store, _attempts, settlement, _outcomes, options, new WorkerIdentity("worker-a", null, null), _state, TimeProvider.System,
            NullLogger<JobRunner>.Instance);
    }

    private async Task<ReceivedJob> SubmitAsync(string jobId, string spec = Spec)
    {
        await _queue.SubmitAsync(new JobMessage { JobId = jobId, Spec = JsonDocument.Parse(spec).RootElement.Clone() }, CancellationToken.None);
        return _queue.Receive(jobId, Lease);
    }

    private Task RunAsync(ReceivedJob message) => _runner.RunAsync(message, new JobSlot(0, [], 1), CancellationToken.None);

    private static AttemptEnd RankFailed(FailureKind kind, string message) =>
        new() { Launch = new LaunchResult { Succeeded = false, Failure = new RankFailure(0, JobFailure.Of(kind, message)) } };

    [Fact]
    public async Task BadInput_FailsOnTheFirstAttempt_NamingTheField_AndTheMessageGoes()
    {
        _attempts.Next = _ => RankFailed(FailureKind.InvalidInput, "model.path: /etc/x: is outside the allowed model locations");

        await RunAsync(await SubmitAsync("bad"));

        var job = (await _store.GetAsync("bad", CancellationToken.None))!;
        Assert.Equal((JobStatus.Failed, 1, 0), (job.Status, job.Attempts, job.FailedAttempts));
        Assert.Contains("model.path", job.Error, StringComparison.Ordinal);
        Assert.Empty(_queue.Messages);
        Assert.Empty(_queue.DeadLetters);
        Assert.Equal(["failed"], _outcomes.Ended);
    }

    [Fact]
    public async Task InvalidSpec_FailsWithEveryErrorWithoutAnAttempt()
    {
        await RunAsync(await SubmitAsync("invalid", """{ "apiVersion": "trainingworkers/v1", "name": "x", "data": { "train": "y" }, "training": { "epochs": -1, "seed": null } }"""));

        var job = (await _store.GetAsync("invalid", CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("training.epochs: must be between", job.Error, StringComparison.Ordinal);
        Assert.Contains("training.seed: must not be null", job.Error, StringComparison.Ordinal);
        Assert.Equal(0, _attempts.Runs);
    }

    [Fact]
    public async Task SpecWithALoneSurrogate_SentByAnotherClient_FailsAtOnceNamingThePath()
    {
        await RunAsync(await SubmitAsync("surrogate", """{ "apiVersion": "trainingworkers/v1", "name": "x\ud800", "data": { "train": "y" } }"""));

        var job = (await _store.GetAsync("surrogate", CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("name: is not valid Unicode text", job.Error, StringComparison.Ordinal);
        Assert.Empty(_queue.Messages);
    }

    [Fact]
    public async Task RendezvousFailure_IsRetriedAfterTheBackoff_WhichDoubles_AndCountedInTheRecord()
    {
        _attempts.Next = _ => RankFailed(FailureKind.Crashed, "rendezvous failed: address already in use");

        await RunAsync(await SubmitAsync("flaky"));
        var first = (await _store.GetAsync("flaky", CancellationToken.None))!;
        await RunAsync(_queue.Receive("flaky", Lease));
        var second = (await _store.GetAsync("flaky", CancellationToken.None))!;

        Assert.Equal((JobStatus.Queued, 1), (first.Status, first.FailedAttempts));
        Assert.Equal((JobStatus.Queued, 2), (second.Status, second.FailedAttempts));
        Assert.StartsWith("attempt 2 of 3 failed, retry in 60 s: crashed: rank 0: rendezvous failed", second.Error, StringComparison.Ordinal);
        Assert.Equal(["Extend flaky 30s", "Extend flaky 60s"], _queue.Calls.Where(c => c.StartsWith("Extend", StringComparison.Ordinal)));
        Assert.Equal(["retrying", "retrying"], _outcomes.Ended);
    }

    [Fact]
    public async Task Crash_OnTheLastAttempt_FailsWithTheCountAndDeadLettersTheReason()
    {
        _attempts.Next = _ => RankFailed(FailureKind.DeviceLost, "CUDA error: an illegal memory access was encountered");
        var message = await SubmitAsync("doomed");
        for (var i = 0; i < 3; i++)
        {
            await RunAsync(message);
            if (i < 2) message = _queue.Receive("doomed", Lease);
        }

        var job = (await _store.GetAsync("doomed", CancellationToken.None))!;
        Assert.Equal((JobStatus.Failed, 3, 3), (job.Status, job.Attempts, job.FailedAttempts));
        var (dead, reason) = Assert.Single(_queue.DeadLetters);
        Assert.Equal("doomed", dead.JobId);
        Assert.StartsWith("failed 3 of 3 attempts; the last: device_lost: rank 0: CUDA error", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FatalStoreError_GivesTheMessageBackUntouched_AndStopsTheWorkerWithExitCode3()
    {
        var message = await SubmitAsync("unlucky");
        _store.FailNext(op => op == nameof(IJobStore.TryClaimAsync) ? new DecisionTests.FatalError("dynamodb TransactWriteItems failed: ResourceNotFoundException") : null);

        await RunAsync(message);

        Assert.Equal(WorkerState.FatalExitCode, _state.ExitCode);
        Assert.True(_lifetime.Stopped);
        Assert.Contains("ResourceNotFoundException", _state.FatalReason, StringComparison.Ordinal);
        Assert.Contains("Release unlucky", _queue.Calls);
        Assert.Empty(_queue.DeadLetters);
        Assert.Equal(0, _attempts.Runs);
    }

    [Fact]
    public async Task FatalErrorDuringTheAttempt_IsNotAFailedAttempt()
    {
        _attempts.Next = _ => new AttemptEnd { Error = new DecisionTests.FatalError("s3 PutObject failed: NoSuchBucket") };

        await RunAsync(await SubmitAsync("orphan"));

        var job = (await _store.GetAsync("orphan", CancellationToken.None))!;
        Assert.Equal((JobStatus.Running, 0), (job.Status, job.FailedAttempts));
        Assert.Equal(WorkerState.FatalExitCode, _state.ExitCode);
        Assert.Contains("Release orphan", _queue.Calls);
    }

    [Fact]
    public async Task StoppingWorker_GivesAReceivedMessageBackAtOnce()
    {
        var message = await SubmitAsync("late");
        _state.RequestStop("SIGTERM");

        await RunAsync(message);

        Assert.Equal(["Submit late", "Release late"], _queue.Calls);
        Assert.Equal(JobStatus.Queued, (await _store.GetAsync("late", CancellationToken.None))?.Status ?? JobStatus.Queued);
        Assert.Equal(0, _attempts.Runs);
    }

    [Fact]
    public async Task MessageOfAJobHeldElsewhere_NearTheRedriveLimit_IsReplacedByAFreshCopy()
    {
        await _store.CreateAsync("busy", Spec, CancellationToken.None);
        await _store.TryClaimAsync("busy", "worker-b", TimeSpan.FromMinutes(5), CancellationToken.None);
        var message = await SubmitAsync("busy");
        for (var i = 0; i < 3; i++) message = _queue.Receive("busy", Lease);

        await RunAsync(message);

        Assert.Equal(4, message.ReceiveCount);
        Assert.Equal(["Submit busy", "Submit busy", "Complete busy"], _queue.Calls);
        Assert.Equal(0, Assert.Single(_queue.Messages).ReceiveCount);
    }

    [Fact]
    public async Task UnreadableMessage_IsDeadLetteredWithItsProblem()
    {
        var message = new ReceivedJob { MessageId = "m9", ReceiptHandle = "r", ReceiveCount = 1, SentAt = DateTimeOffset.UnixEpoch, Problem = "the message's 'version' must be the integer 1, got a string" };

        await RunAsync(message);

        Assert.Equal(["DeadLetter m9"], _queue.Calls);
        Assert.Equal(["unreadable"], _outcomes.Ended);
    }

    private sealed class ScriptedAttempts : IAttemptRunner
    {
        public Func<AttemptContext, AttemptEnd> Next { get; set; } = _ => new AttemptEnd { Launch = new LaunchResult { Succeeded = true } };

        public int Runs { get; private set; }

        public Task<AttemptEnd> RunAsync(AttemptContext context)
        {
            Runs++;
            return Task.FromResult(Next(context));
        }
    }

    private sealed class CountedOutcomes : IFleetOutcomes
    {
        public List<string> Ended { get; } = [];

        public void JobEnded(string outcome) => Ended.Add(outcome);
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public bool Stopped { get; private set; }
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => Stopped = true;
    }
}
