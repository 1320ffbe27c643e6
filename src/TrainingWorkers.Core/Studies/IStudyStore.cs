namespace TrainingWorkers.Core.Studies;

/// <summary>
/// The durable state of studies, with the same discipline as <see cref="Jobs.IJobStore"/>: every change is conditional,
/// exactly one coordinator wins a claim, and one whose lease was taken over (stale fencing token) writes nothing more.
/// Status changes are written together with their history entry and the index entry that lists the study.
/// </summary>
public interface IStudyStore
{
    /// <summary>Records a new study as <see cref="StudyStatus.Queued"/>; false if the id is taken.</summary>
    Task<bool> CreateAsync(string studyId, string kind, string name, string requestJson, CancellationToken cancellationToken);

    /// <summary>The study's record, or null if there is none.</summary>
    Task<StudyRecord?> GetAsync(string studyId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> studies, newest first (from the index, without their state).</summary>
    Task<IReadOnlyList<StudySummary>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>The studies that are not finished (Queued or Running): what coordinators look at to claim work.</summary>
    Task<IReadOnlyList<StudySummary>> ListOpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims the study for <paramref name="ownerId"/> if it is queued, or running under a lease that ran out (a takeover).
    /// Returns the lease with a new fencing token, or null when another coordinator holds it or the study is finished.
    /// </summary>
    Task<StudyLease?> TryClaimAsync(string studyId, string ownerId, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends the lease; throws <see cref="StudyLeaseLostException"/> when the token is stale.</summary>
    Task<StudyLease> HeartbeatAsync(StudyLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Replaces the driver's state; throws <see cref="StudyLeaseLostException"/> when the token is stale.</summary>
    Task SaveStateAsync(StudyLease lease, string stateJson, CancellationToken cancellationToken);

    /// <summary>Ends the lease at once (the coordinator stops): another coordinator may take the study over now.</summary>
    Task ReleaseAsync(StudyLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the study to a terminal <paramref name="status"/> with its result or error; throws
    /// <see cref="StudyLeaseLostException"/> when the token is stale.
    /// </summary>
    Task FinishAsync(StudyLease lease, StudyStatus status, string? resultJson, string? error, CancellationToken cancellationToken);

    /// <summary>
    /// Asks for the study to stop: a queued one (no jobs yet) becomes Cancelled at once; a running one is marked, and its
    /// coordinator cancels its jobs at its next step. Returns the status after the request, or null when there is no such study.
    /// </summary>
    Task<StudyStatus?> RequestCancelAsync(string studyId, CancellationToken cancellationToken);

    /// <summary>The study's status changes, oldest first.</summary>
    Task<IReadOnlyList<StudyStatusChange>> GetHistoryAsync(string studyId, CancellationToken cancellationToken);
}
