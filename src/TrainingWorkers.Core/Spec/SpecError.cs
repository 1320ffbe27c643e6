using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Core.Spec;

/// <summary>One problem in a job spec: where (a JSON path such as <c>training.learning_rate</c>) and which rule.</summary>
public sealed record SpecError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A job spec that broke one or more rules. <see cref="Errors"/> lists every one of them.</summary>
public sealed class InvalidSpecException : JobInputException
{
    public InvalidSpecException(IReadOnlyList<SpecError> errors)
        : base(errors.Count > 0 ? errors[0].Path : "$", string.Join("; ", errors), null,
            "invalid job spec:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)), null)
    {
        Errors = errors;
    }

    public IReadOnlyList<SpecError> Errors { get; }
}
