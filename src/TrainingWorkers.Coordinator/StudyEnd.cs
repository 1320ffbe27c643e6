using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator;

/// <summary>How a study ended: its terminal status, its result, and for a failure the error (<c>kind: message</c>, as job records write it).</summary>
internal sealed record StudyEnd(StudyStatus Status, StudyResult? Result, string? Error)
{
    public static StudyEnd Succeeded(StudyResult result) => new(StudyStatus.Succeeded, result, null);

    public static StudyEnd Failed(FailureKind kind, string message, StudyResult? result = null) =>
        new(StudyStatus.Failed, result, JobFailure.Of(kind, message).ToString());
}
