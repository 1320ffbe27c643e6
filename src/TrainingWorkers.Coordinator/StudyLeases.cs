using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Coordinator;

/// <summary>
/// The studies this coordinator holds: claims open ones up to its capacity (queued ones, and running ones whose lease ran
/// out: a takeover), renews each lease before its step, lets go of finished or lost ones, and releases all on a stop so
/// another coordinator takes them over at once. Kind-agnostic: anything kept as a study (a gang reservation too) is held this way.
/// </summary>
internal sealed class StudyLeases(IStudyStore store, string ownerId, TimeSpan leaseDuration, int capacity, ILogger logger)
{
    private readonly Dictionary<string, StudyLease> _held = new(StringComparer.Ordinal);

    public IReadOnlyCollection<StudyLease> Held => _held.Values;

    /// <summary>Claims open studies while there is room. A study another coordinator holds under a live lease is left alone.</summary>
    public async Task ClaimAsync(CancellationToken cancellationToken)
    {
        if (_held.Count >= capacity) return;
        foreach (var open in await store.ListOpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_held.Count >= capacity) return;
            if (_held.ContainsKey(open.StudyId)) continue;
            var lease = await store.TryClaimAsync(open.StudyId, ownerId, leaseDuration, cancellationToken).ConfigureAwait(false);
            if (lease is null) continue;
            _held[open.StudyId] = lease;
            Log.Claimed(logger, open.StudyId, open.Kind, open.Status == StudyStatus.Queued ? "claimed" : "taken over (its lease had run out)", lease.FencingToken);
        }
    }

    /// <summary>The renewed lease, or null when it was lost (the study is dropped).</summary>
    public async Task<StudyLease?> RenewAsync(StudyLease lease, CancellationToken cancellationToken)
    {
        try
        {
            return _held[lease.StudyId] = await store.HeartbeatAsync(lease, leaseDuration, cancellationToken).ConfigureAwait(false);
        }
        catch (StudyLeaseLostException)
        {
            Lost(lease.StudyId);
            return null;
        }
    }

    public void Drop(string studyId) => _held.Remove(studyId);

    public void Lost(string studyId)
    {
        if (_held.Remove(studyId)) Log.LeaseLost(logger, studyId);
    }

    /// <summary>Ends every lease now (best effort): the studies' next coordinator need not wait for them to run out.</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken)
    {
        foreach (var lease in _held.Values.ToList())
        {
            try
            {
                await store.ReleaseAsync(lease, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StudyLeaseLostException or Aws.AwsServiceException or OperationCanceledException)
            {
                // Its lease runs out by itself.
            }
        }

        _held.Clear();
    }
}
