namespace TrainingWorkers.Core.Failures;

/// <summary>What <c>tw</c> and its ranks exit with, so scripts and launchers can tell bad input from a failed run.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Something unexpected: a bug, the machine (libtorch missing), or an AWS call that failed (queue missing, access denied, endpoint unreachable).</summary>
    public const int Unexpected = 1;
    /// <summary>The spec, its data, a flag or the environment is invalid, or the job is unknown: fix the input; nothing ran or was queued.</summary>
    public const int InvalidInput = 2;
    /// <summary>Training started and failed (a crash, out of memory, a full disk, a lost device); <c>tw wait</c>: the job ended Failed.</summary>
    public const int Failed = 3;
    /// <summary><c>tw wait --timeout</c> passed before the job finished (the job goes on); 124 as timeout(1) uses.</summary>
    public const int TimedOut = 124;
    /// <summary>Stopped by Ctrl-C after writing a checkpoint; <c>tw wait</c>: the job ended Cancelled.</summary>
    public const int Cancelled = 130;
}
