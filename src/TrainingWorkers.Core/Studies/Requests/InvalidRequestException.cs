using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>A study request (fine-tune or tune) that broke one or more rules. <see cref="Errors"/> lists every one, each with its path.</summary>
public sealed class InvalidRequestException : JobInputException
{
    public InvalidRequestException(IReadOnlyList<SpecError> errors)
        : base(errors.Count > 0 ? errors[0].Path : "$", string.Join("; ", errors), null,
            "invalid study request:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)), null)
    {
        Errors = errors;
    }

    public IReadOnlyList<SpecError> Errors { get; }
}
