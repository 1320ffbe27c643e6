using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>The first failure of a group: the rank, and its own report of the failure, or the launcher's view of its end.</summary>
public sealed record RankFailure(int Rank, JobFailure Failure)
{
    public override string ToString() => $"rank {Rank}: {Failure}";
}

/// <summary>How a launch ended.</summary>
public sealed record LaunchResult
{
    public required bool Succeeded { get; init; }
    public bool Cancelled { get; init; }
    public int Restarts { get; init; }
    /// <summary>The first rank's failure of the last attempt that failed (null if none failed).</summary>
    public RankFailure? Failure { get; init; }
    /// <summary>rank 0's report.json, when rank 0 ran on this node and finished.</summary>
    public string? Report { get; init; }

    /// <summary>What the launch's end means for <c>tw run</c>'s exit code and the worker's decision.</summary>
    public FailureKind? FailureKind => Succeeded ? null : Cancelled && Failure is null ? Core.Failures.FailureKind.Cancelled : Failure?.Failure.Kind;
}

/// <summary>What the launcher shows: the CLI prints it, the worker publishes it.</summary>
public interface ILaunchObserver
{
    void RankEvent(RankEvent e);

    /// <summary>A line the rank wrote to stderr, or to stdout outside the protocol.</summary>
    void RankLog(int rank, string line);

    void GroupStopped(int attempt, RankFailure failure, bool restarting);
}
