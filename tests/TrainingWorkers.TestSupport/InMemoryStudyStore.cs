using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Testing;

/// <summary>
/// <see cref="IStudyStore"/> in memory, with the DynamoDB store's conditions: claims bump the fencing token, a lease that
/// ran out can be taken over, writes with a stale token throw <see cref="StudyLeaseLostException"/>. <see cref="FailNext"/>
/// injects a failure (a coordinator that dies between two writes).
/// </summary>
public sealed class InMemoryStudyStore(TimeProvider time) : IStudyStore
{
    private readonly StoreCalls _calls = new();
    private readonly Dictionary<string, StudyRecord> _studies = new(StringComparer.Ordinal);
    private readonly StatusHistory<StudyStatusChange> _history = new();

    /// <summary>How many times each study's state was saved.</summary>
    public Dictionary<string, int> Saves { get; } = new(StringComparer.Ordinal);

    /// <summary>Every call from now on asks <paramref name="fault"/> (given the operation's name) whether to throw instead.</summary>
    public void FailNext(Func<string, Exception?>? fault) => _calls.FailNext(fault);

    public Task<bool> CreateAsync(string studyId, string kind, string name, string requestJson, CancellationToken cancellationToken) => Run(nameof(CreateAsync), () =>
    {
        if (_studies.ContainsKey(studyId)) return false;
        var now = time.GetUtcNow();
        _studies[studyId] = new StudyRecord { StudyId = studyId, Kind = kind, Name = name, RequestJson = requestJson, Status = StudyStatus.Queued, CreatedAt = now, UpdatedAt = now };
        Record(studyId, StudyStatus.Queued, null, 0, "submitted");
        return true;
    });

    public Task<StudyRecord?> GetAsync(string studyId, CancellationToken cancellationToken) => Run(nameof(GetAsync), () => _studies.GetValueOrDefault(studyId));

    public Task<IReadOnlyList<StudySummary>> ListAsync(int limit, CancellationToken cancellationToken) => Run(nameof(ListAsync), () =>
        (IReadOnlyList<StudySummary>)_studies.Values.OrderByDescending(s => s.CreatedAt).ThenBy(s => s.StudyId, StringComparer.Ordinal).Take(limit).Select(Summary).ToList());

    public Task<IReadOnlyList<StudySummary>> ListOpenAsync(CancellationToken cancellationToken) => Run(nameof(ListOpenAsync), () =>
        (IReadOnlyList<StudySummary>)_studies.Values.Where(s => !s.Status.IsTerminal()).OrderBy(s => s.CreatedAt).Select(Summary).ToList());

    public Task<StudyLease?> TryClaimAsync(string studyId, string ownerId, TimeSpan leaseDuration, CancellationToken cancellationToken) => Run(nameof(TryClaimAsync), () =>
    {
        if (!_studies.TryGetValue(studyId, out var study)) return null;
        var now = time.GetUtcNow();
        var takeover = study.Status == StudyStatus.Running && study.LeaseExpiresAt <= now;
        if (study.Status != StudyStatus.Queued && !takeover) return null;
        var lease = new StudyLease(studyId, ownerId, study.FencingToken + 1, now + leaseDuration);
        _studies[studyId] = study with
        {
            Status = StudyStatus.Running, LeaseOwner = ownerId, LeaseExpiresAt = lease.ExpiresAt, FencingToken = lease.FencingToken, Claims = study.Claims + 1, UpdatedAt = now,
        };
        Record(studyId, StudyStatus.Running, ownerId, lease.FencingToken, takeover ? $"lease taken over from {study.LeaseOwner}" : "claimed");
        return (StudyLease?)lease;
    });

    public Task<StudyLease> HeartbeatAsync(StudyLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken) => Run(nameof(HeartbeatAsync), () =>
    {
        var renewed = lease with { ExpiresAt = time.GetUtcNow() + leaseDuration };
        Update(lease, s => s with { LeaseExpiresAt = renewed.ExpiresAt });
        return renewed;
    });

    public Task SaveStateAsync(StudyLease lease, string stateJson, CancellationToken cancellationToken) => Run(nameof(SaveStateAsync), () =>
    {
        Update(lease, s => s with { StateJson = stateJson });
        Saves[lease.StudyId] = Saves.GetValueOrDefault(lease.StudyId) + 1;
    });

    public Task ReleaseAsync(StudyLease lease, CancellationToken cancellationToken) => Run(nameof(ReleaseAsync), () =>
    {
        Update(lease, s => s with { LeaseExpiresAt = time.GetUtcNow() });
        Record(lease.StudyId, StudyStatus.Running, lease.OwnerId, lease.FencingToken, "released: the coordinator stopped");
    });

    public Task FinishAsync(StudyLease lease, StudyStatus status, string? resultJson, string? error, CancellationToken cancellationToken) => Run(nameof(FinishAsync), () =>
    {
        if (!status.IsTerminal()) throw new ArgumentException("a study is finished with a terminal status", nameof(status));
        Update(lease, s => s with { Status = status, ResultJson = resultJson ?? s.ResultJson, Error = error, LeaseOwner = null, LeaseExpiresAt = null });
        Record(lease.StudyId, status, lease.OwnerId, lease.FencingToken, error);
    });

    public Task<StudyStatus?> RequestCancelAsync(string studyId, CancellationToken cancellationToken) => Run(nameof(RequestCancelAsync), () =>
    {
        if (!_studies.TryGetValue(studyId, out var study)) return (StudyStatus?)null;
        if (study.Status.IsTerminal()) return study.Status;
        var status = study.Status == StudyStatus.Queued ? StudyStatus.Cancelled : StudyStatus.Running;
        _studies[studyId] = study with { Status = status, CancelRequested = true, UpdatedAt = time.GetUtcNow() };
        if (status == StudyStatus.Cancelled) Record(studyId, status, null, study.FencingToken, "cancelled before it started");
        return status;
    });

    public Task<IReadOnlyList<StudyStatusChange>> GetHistoryAsync(string studyId, CancellationToken cancellationToken) =>
        Run(nameof(GetHistoryAsync), () => _history.Of(studyId));

    private static StudySummary Summary(StudyRecord s) => new(s.StudyId, s.Kind, s.Name, s.Status, s.CreatedAt, s.UpdatedAt);

    private void Update(StudyLease lease, Func<StudyRecord, StudyRecord> change)
    {
        if (!_studies.TryGetValue(lease.StudyId, out var study) || study.FencingToken != lease.FencingToken || study.LeaseOwner != lease.OwnerId || study.Status != StudyStatus.Running)
        {
            throw new StudyLeaseLostException(lease.StudyId, lease.FencingToken, "another coordinator claimed the study or it was finished");
        }

        _studies[lease.StudyId] = change(study) with { UpdatedAt = time.GetUtcNow() };
    }

    private void Record(string studyId, StudyStatus status, string? ownerId, long token, string? reason) =>
        _history.Add(studyId, new StudyStatusChange(status, time.GetUtcNow(), ownerId, token, reason));

    private Task<T> Run<T>(string operation, Func<T> body) => _calls.Run(operation, body);

    private Task Run(string operation, Action body) => _calls.Run(operation, body);
}
