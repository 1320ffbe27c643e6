namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// The user's input cannot be used (a flag, the environments file, a spec, an unknown job): exit code 2.
/// <see cref="Errors"/> lists every problem when there are several (a spec's rules).
/// </summary>
internal sealed class FleetInputException : Exception
{
    public FleetInputException(string message, string kind = "invalid_input", IReadOnlyList<string>? errors = null)
        : base(message)
    {
        Kind = kind;
        Errors = errors ?? [];
    }

    /// <summary>A short machine-readable kind for <c>-o json</c>: <c>invalid_spec</c>, <c>unknown_job</c>, ...</summary>
    public string Kind { get; }
    public IReadOnlyList<string> Errors { get; }
}
