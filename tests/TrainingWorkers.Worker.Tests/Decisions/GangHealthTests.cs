using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Worker.Gangs;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>When a running gang stops, as each node sees it, and what node 0 decides then: every case, no I/O.</summary>
public sealed class GangHealthTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddHours(1);
    private static readonly TimeSpan Join = TimeSpan.FromMinutes(2);
    private static readonly Gang Gang = new()
    {
        FencingToken = 7, Members = ["w0", "w1", "w2"], ProcessesPerNode = 1, MasterAddress = "10.0.0.1", MasterPort = 29500, FormedAt = Now.AddMinutes(-1),
    };

    private static readonly JobSpec Spec = JobSpecParser.Parse(InMemoryFleet.Spec(3));

    private static JobRecord Running(long token = 7, DateTimeOffset? leaseUntil = null, string? handOff = null) => new()
    {
        JobId = "j", SpecJson = "{}", Status = JobStatus.Running, FencingToken = token, LeaseOwner = "w0", LeaseExpiresAt = leaseUntil ?? Now.AddMinutes(10),
        HandOffRequested = handOff, CreatedAt = Now, UpdatedAt = Now,
    };

    private static GangNode Node(int node, DateTimeOffset? until = null, string? error = null, long token = 7) =>
        new("j", node, $"w{node}", token, until ?? Now.AddMinutes(10)) { Error = error, EndedAt = error is null ? null : Now };

    private static GangTrouble? Check(int me, JobRecord? record, params GangNode[] nodes) => GangHealth.Check(Gang, me, record, nodes, Now, Gang.FormedAt + Join, Join);

    [Fact]
    public void AllJoinedAndAlive_NoTrouble() => Assert.Null(Check(0, Running(), Node(1), Node(2)));

    [Fact]
    public void NodeZero_ANodeNotYetJoinedBeforeTheDeadline_Waits() => Assert.Null(Check(0, Running(), Node(1)));

    [Fact]
    public void NodeZero_ANodeNotJoinedByTheDeadline_GivesTheGangUp_AsAHandOff()
    {
        var trouble = GangHealth.Check(Gang, 0, Running(), [Node(1)], Gang.FormedAt + Join + TimeSpan.FromSeconds(1), Gang.FormedAt + Join, Join)!;

        Assert.Equal(StopCause.GangNotFormed, trouble.Cause);
        Assert.Equal("node 2 (w2) did not join within 00:02:00", trouble.Reason);
        Assert.Equal(Verdict.HandOff, OutcomeDecision.Decide(new AttemptEnd(), trouble.Cause, null, Spec, trouble.Reason).Verdict);
    }

    [Fact]
    public void NodeZero_ANodesLeaseRanOut_StopsTheGang_AndTheAttemptIsRetried()
    {
        var trouble = Check(0, Running(), Node(1), Node(2, until: Now.AddSeconds(-1)))!;

        Assert.Equal((StopCause.NodeLost, "node 2 (w2) lost: its lease ran out"), (trouble.Cause, trouble.Reason));
        var decision = OutcomeDecision.Decide(new AttemptEnd { Launch = new LaunchResult { Succeeded = false } }, trouble.Cause, null, Spec, trouble.Reason, trouble.Failure);
        Assert.Equal((Verdict.Retry, "crashed: node 2 (w2) lost: its lease ran out"), (decision.Verdict, decision.Error));
    }

    [Theory]
    [InlineData("invalid_input: data.train: s3://b/x: cannot be fetched: nothing is there", "Fail")]
    [InlineData("crashed: rank 2: Connection reset by peer", "Retry")]
    [InlineData("out_of_memory: CUDA out of memory", "Fail")]
    public void NodeZero_ANodeThatFailed_StopsTheGang_WithThatNodesFailure(string error, string verdict)
    {
        var trouble = Check(0, Running(), Node(1, error: error), Node(2))!;

        var decision = OutcomeDecision.Decide(new AttemptEnd(), trouble.Cause, null, Spec, trouble.Reason, trouble.Failure);
        Assert.Equal(Enum.Parse<Verdict>(verdict), decision.Verdict);
        Assert.StartsWith(error[..error.IndexOf(':', StringComparison.Ordinal)] + ": node 1 (w1): ", decision.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeZero_AHandOffRequest_HandsTheWholeJobOff_NotAFailedAttempt()
    {
        var trouble = Check(0, Running(handOff: "node 1 (w1) stops: SIGTERM"), Node(1), Node(2))!;

        var decision = OutcomeDecision.Decide(new AttemptEnd { Launch = new LaunchResult { Succeeded = false, Failure = new RankFailure(0, JobFailure.Of(FailureKind.Crashed, "exited with code 130")) } },
            trouble.Cause, null, Spec, trouble.Reason);
        Assert.Equal((Verdict.HandOff, "node 1 (w1) stops: SIGTERM"), (decision.Verdict, decision.Error));
    }

    [Fact]
    public void NodeZero_ANodeThatEndedWell_IsNotLost() =>
        Assert.Null(Check(0, Running(), Node(1, until: Now.AddSeconds(-30)) with { EndedAt = Now.AddSeconds(-40) }, Node(2)));

    [Fact]
    public void NodeZero_ANodeLeaseOfAnOlderGang_CountsAsNotJoined() =>
        Assert.Equal(StopCause.GangNotFormed, GangHealth.Check(Gang, 0, Running(), [Node(1), Node(2, token: 6)], Gang.FormedAt + Join + TimeSpan.FromSeconds(1),
            Gang.FormedAt + Join, Join)!.Cause);

    [Fact]
    public void OtherNode_NodeZerosLeaseRanOut_StopsWithNodeLost() =>
        Assert.Equal(StopCause.NodeLost, Check(1, Running(leaseUntil: Now.AddSeconds(-1)), Node(1), Node(2))!.Cause);

    [Fact]
    public void OtherNode_TheJobSettledOrTakenOverByANewGang_StopsQuietly()
    {
        Assert.Equal(StopCause.GangEnded, Check(1, Running() with { Status = JobStatus.Queued }, Node(1), Node(2))!.Cause);
        Assert.Equal(StopCause.GangEnded, Check(2, Running(token: 8), Node(1), Node(2))!.Cause);
        Assert.Equal(StopCause.GangEnded, Check(2, null)!.Cause);
    }

    [Fact]
    public void OtherNode_AnotherNodeFailed_Stops_ButDoesNotJudgeJoins()
    {
        Assert.Equal(StopCause.NodeLost, Check(1, Running(), Node(1), Node(2, error: "crashed: killed"))!.Cause);
        Assert.Null(GangHealth.Check(Gang, 1, Running(), [Node(1)], Gang.FormedAt + Join + TimeSpan.FromMinutes(1), Gang.FormedAt + Join, Join));
    }

    [Fact]
    public void OtherNode_AHandOffRequest_IsNodeZerosToAct() => Assert.Null(Check(2, Running(handOff: "node 1 stops"), Node(1), Node(2)));
}
