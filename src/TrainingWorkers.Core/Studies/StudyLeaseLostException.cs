namespace TrainingWorkers.Core.Studies;

/// <summary>
/// The coordinator no longer holds the study: another one claimed it, or it was finished. Not transient: the
/// coordinator must stop driving the study and write nothing more.
/// </summary>
public sealed class StudyLeaseLostException : Exception
{
    public StudyLeaseLostException(string studyId, long fencingToken, string reason)
        : base($"study {studyId}: the lease with fencing token {fencingToken} is no longer held ({reason})")
    {
        StudyId = studyId;
        FencingToken = fencingToken;
    }

    public string StudyId { get; }
    public long FencingToken { get; }
}
