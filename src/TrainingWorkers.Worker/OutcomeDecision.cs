using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker;

/// <summary>What becomes of a job after an attempt.</summary>
internal enum Verdict
{
    /// <summary>Trained and uploaded: Succeeded.</summary>
    Succeed,
    /// <summary>Stopped at a user's request: Cancelled.</summary>
    Cancel,
    /// <summary>The worker stops: back to the queue for another worker, not a failed attempt.</summary>
    HandOff,
    /// <summary>Failed for good now: bad input, out of memory, its runtime limit. Another attempt would fail the same way.</summary>
    Fail,
    /// <summary>A failed attempt another may not repeat (a crash, a full disk, a lost device): retried after a backoff, or Failed when attempts are used up.</summary>
    Retry,
    /// <summary>Another worker holds the job now: write nothing.</summary>
    LeaseLost,
    /// <summary>An AWS error no retry fixes: the job is given back untouched and the worker stops.</summary>
    Fatal,
}

/// <summary>A verdict with the text the job's record keeps, and for <see cref="Verdict.Fatal"/> the error.</summary>
internal sealed record Decision(Verdict Verdict, string? Error = null, Exception? FatalError = null);

/// <summary>The worker's one decision about an attempt's end; no I/O, so every case is unit-tested.</summary>
internal static class OutcomeDecision
{
    /// <param name="reason">Why a gang stopped (<see cref="StopCause.NodeLost"/>, a hand-off request, a gang not formed).</param>
    /// <param name="nodeFailure">The failure a lost node of the gang reported, if it did.</param>
    public static Decision Decide(AttemptEnd end, StopCause cause, Exception? fatalError, JobSpec spec, string? reason = null, JobFailure? nodeFailure = null)
    {
        if (cause == StopCause.LeaseLost || end.LeaseLost) return new Decision(Verdict.LeaseLost);
        var fatal = cause == StopCause.Fatal ? fatalError : end.Error is { } e && JobFailure.From(e).Kind == FailureKind.Fatal ? e : null;
        if (fatal is not null) return new Decision(Verdict.Fatal, fatal.Message, fatal);
        if (end.Launch is { Succeeded: true } && end.Error is null) return new Decision(Verdict.Succeed);
        switch (cause)
        {
            case StopCause.CancelRequested:
                return new Decision(Verdict.Cancel, "cancelled by request");
            case StopCause.Shutdown:
                return new Decision(Verdict.HandOff);
            case StopCause.MaxRuntime:
                return new Decision(Verdict.Fail, $"training.max_runtime_seconds: stopped after {spec.Training.MaxRuntimeSeconds} s");
            case StopCause.HandOffRequested or StopCause.GangNotFormed:
                return new Decision(Verdict.HandOff, reason);
            case StopCause.NodeLost:
                // The lost node's own failure when it said one (bad input on that node fails the job), else a crash: retried on a new gang.
                var lost = nodeFailure ?? JobFailure.Of(FailureKind.Crashed, reason ?? "a node of the gang was lost");
                return new Decision(lost.IsRetryable ? Verdict.Retry : Verdict.Fail, lost.ToString());
        }

        var failure = end.Error is { } error ? JobFailure.From(error)
            : end.Launch?.Failure is { } rank ? rank.Failure with { Message = $"rank {rank.Rank}: {rank.Failure.Message}" }
            : JobFailure.Of(FailureKind.Crashed, "the ranks stopped without a result");
        return new Decision(failure.IsRetryable ? Verdict.Retry : Verdict.Fail, failure.ToString());
    }
}
