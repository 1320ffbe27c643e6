using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>The worker's decision about an attempt's end, and its retry schedule: every case, no I/O.</summary>
public class DecisionTests
{
    private static readonly JobSpec Spec = JobSpecParser.Parse("""
        { "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "fashion-mnist" }, "training": { "max_runtime_seconds": 60 } }
        """);

    private static AttemptEnd Ranks(FailureKind kind, string message) =>
        new() { Launch = new LaunchResult { Succeeded = false, Failure = new RankFailure(0, JobFailure.Of(kind, message)) } };

    private static readonly AttemptEnd Success = new() { Launch = new LaunchResult { Succeeded = true } };

    [Theory]
    [InlineData(FailureKind.InvalidInput, "Fail")]
    [InlineData(FailureKind.OutOfMemory, "Fail")]
    [InlineData(FailureKind.Crashed, "Retry")]
    [InlineData(FailureKind.DiskFull, "Retry")]
    [InlineData(FailureKind.DeviceLost, "Retry")]
    public void Decide_RankFailure_FailsNowOnlyWhenAnotherAttemptWouldFailTheSameWay(FailureKind kind, string verdict)
    {
        var expected = Enum.Parse<Verdict>(verdict);
        var decision = OutcomeDecision.Decide(Ranks(kind, "what the rank said"), StopCause.None, null, Spec);

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal($"{kind.Code()}: rank 0: what the rank said", decision.Error);
    }

    [Fact]
    public void Decide_RendezvousFailure_IsRetried()
    {
        // The launch's port or network, not the job: what RankRun reports for a rendezvous that failed.
        var decision = OutcomeDecision.Decide(Ranks(FailureKind.Crashed, "rendezvous failed: address already in use"), StopCause.None, null, Spec);

        Assert.Equal(Verdict.Retry, decision.Verdict);
    }

    [Fact]
    public void Decide_BadInputFoundWhileFetching_FailsNamingTheField()
    {
        var end = new AttemptEnd { Error = new JobInputException("data.train", "cannot be fetched: nothing is there (NoSuchKey)", "s3://b/missing/") };

        var decision = OutcomeDecision.Decide(end, StopCause.None, null, Spec);

        Assert.Equal(Verdict.Fail, decision.Verdict);
        Assert.StartsWith("invalid_input: data.train: s3://b/missing/: cannot be fetched", decision.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CancelRequested", "Cancel")]
    [InlineData("Shutdown", "HandOff")]
    [InlineData("MaxRuntime", "Fail")]
    [InlineData("LeaseLost", "LeaseLost")]
    public void Decide_StoppedJob_FollowsTheStopsCause(string stopCause, string verdict)
    {
        var (cause, expected) = (Enum.Parse<StopCause>(stopCause), Enum.Parse<Verdict>(verdict));
        var stopped = new AttemptEnd { Launch = new LaunchResult { Succeeded = false, Cancelled = true } };

        var decision = OutcomeDecision.Decide(stopped, cause, null, Spec);

        Assert.Equal(expected, decision.Verdict);
        if (cause == StopCause.MaxRuntime) Assert.Equal("training.max_runtime_seconds: stopped after 60 s", decision.Error);
    }

    [Fact]
    public void Decide_FatalErrorAnywhere_WinsOverTheRest()
    {
        var fatal = new FatalError("the table is gone");

        Assert.Equal(Verdict.Fatal, OutcomeDecision.Decide(Success with { Error = fatal }, StopCause.None, null, Spec).Verdict);
        Assert.Same(fatal, OutcomeDecision.Decide(Ranks(FailureKind.Crashed, "x"), StopCause.Fatal, fatal, Spec).FatalError);
        // ... except a lost lease: another worker owns the job, nothing is written for it.
        Assert.Equal(Verdict.LeaseLost, OutcomeDecision.Decide(Success with { LeaseLost = true, Error = fatal }, StopCause.None, null, Spec).Verdict);
    }

    [Fact]
    public void Decide_NoTwToStartRanksWith_IsTheWorkersFaultNotTheJobs()
    {
        var end = new AttemptEnd { Error = new WorkerConfigurationException("Worker:TwExecutable: no tw found") };

        Assert.Equal(Verdict.Fatal, OutcomeDecision.Decide(end, StopCause.None, null, Spec).Verdict);
    }

    [Fact]
    public void Decide_SuccessWithAFailedUpload_IsRetried()
    {
        var decision = OutcomeDecision.Decide(Success with { Error = new IOException("connection reset") }, StopCause.None, null, Spec);

        Assert.Equal(Verdict.Retry, decision.Verdict);
        Assert.Equal(Verdict.Succeed, OutcomeDecision.Decide(Success, StopCause.CancelRequested, null, Spec).Verdict);
    }

    [Fact]
    public void RetryPlan_BackoffDoublesUpToFifteenMinutes_AndAttemptsRunOut()
    {
        var backoff = TimeSpan.FromSeconds(30);

        Assert.Equal((1, false, TimeSpan.FromSeconds(30)), RetryPlan.After(0, 5, backoff));
        Assert.Equal((2, false, TimeSpan.FromSeconds(60)), RetryPlan.After(1, 5, backoff));
        Assert.Equal((3, false, TimeSpan.FromSeconds(120)), RetryPlan.After(2, 5, backoff));
        Assert.Equal((5, true, TimeSpan.FromSeconds(480)), RetryPlan.After(4, 5, backoff));
        Assert.Equal(TimeSpan.FromMinutes(15), RetryPlan.After(40, 100, backoff).Wait);
        Assert.True(RetryPlan.After(0, 1, backoff).UsedUp);
    }

    /// <summary>An AWS error no retry can fix, as the AWS adapters raise it.</summary>
    internal sealed class FatalError(string message) : Exception(message), IKnowsFailureKind
    {
        public FailureKind FailureKind => FailureKind.Fatal;
    }
}
