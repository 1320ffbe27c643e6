namespace TrainingWorkers.Core.Spec;

/// <summary>One problem in a job spec: where (a JSON path such as <c>training.learning_rate</c>) and which rule.</summary>
public sealed record SpecError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A job spec that broke one or more rules. <see cref="Errors"/> lists every one of them.</summary>
public sealed class InvalidSpecException : Exception
{
    public InvalidSpecException(IReadOnlyList<SpecError> errors)
        : base("invalid job spec:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public IReadOnlyList<SpecError> Errors { get; }
}
