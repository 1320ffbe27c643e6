namespace TrainingWorkers.Cli;

/// <summary>What `tw` exits with, so scripts can tell bad input from a failed run.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Something unexpected: a bug, or the machine (libtorch missing).</summary>
    public const int Unexpected = 1;
    /// <summary>The spec or its data is invalid: fix the input; nothing ran.</summary>
    public const int InvalidInput = 2;
    /// <summary>Training started and failed (a libtorch error, out of memory).</summary>
    public const int TrainingFailed = 3;
    /// <summary>Stopped by Ctrl-C after writing a checkpoint.</summary>
    public const int Cancelled = 130;
}
