namespace TrainingWorkers.Engine.Distributed;

/// <summary>The first failure of a group: the rank, and its own error when it reported one.</summary>
public sealed record RankFailure(int Rank, string Error, string Message);

/// <summary>How a launch ended.</summary>
public sealed record LaunchResult
{
    public required bool Succeeded { get; init; }
    public bool Cancelled { get; init; }
    /// <summary>True when a rank reported bad input: the launcher does not restart for it.</summary>
    public bool InvalidInput { get; init; }
    public int Restarts { get; init; }
    /// <summary>The first rank's error of the last attempt that failed (null if none failed).</summary>
    public RankFailure? Failure { get; init; }
    /// <summary>rank 0's report.json, when rank 0 ran on this node and finished.</summary>
    public string? Report { get; init; }
}

/// <summary>What the launcher shows: the CLI prints it, the worker will publish it.</summary>
public interface ILaunchObserver
{
    void RankEvent(RankEvent e);

    /// <summary>A line the rank wrote to stderr, or to stdout outside the protocol.</summary>
    void RankLog(int rank, string line);

    void GroupStopped(int attempt, RankFailure failure, bool restarting);
}
