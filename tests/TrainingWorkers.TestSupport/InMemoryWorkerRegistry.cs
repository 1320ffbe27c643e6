using TrainingWorkers.Core.Gangs;

namespace TrainingWorkers.Testing;

/// <summary><see cref="IWorkerRegistry"/> in memory, with the DynamoDB registry's conditions: a slot is taken only while one is free.</summary>
public sealed class InMemoryWorkerRegistry(TimeProvider time) : IWorkerRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkerRegistration> _workers = new(StringComparer.Ordinal);

    public Task RegisterAsync(WorkerRegistration registration, CancellationToken cancellationToken) => Locked(w =>
    {
        w[registration.WorkerId] = registration;
        return true;
    });

    public Task<WorkerRegistration?> BeatAsync(string workerId, CancellationToken cancellationToken) => Locked(w =>
    {
        if (!w.TryGetValue(workerId, out var r)) return null;
        return w[workerId] = r with { HeartbeatAt = time.GetUtcNow() };
    });

    public Task DrainAsync(string workerId, CancellationToken cancellationToken) => Change(workerId, r => r with { Draining = true });

    public Task DeregisterAsync(string workerId, CancellationToken cancellationToken) => Locked(w => w.Remove(workerId));

    public Task<IReadOnlyList<WorkerRegistration>> ListAsync(CancellationToken cancellationToken) =>
        Locked(w => (IReadOnlyList<WorkerRegistration>)w.Values.OrderBy(r => r.WorkerId, StringComparer.Ordinal).ToList());

    public Task<bool> TryTakeSlotAsync(string workerId, string jobId, CancellationToken cancellationToken) => Locked(w =>
    {
        if (!w.TryGetValue(workerId, out var r) || r.FreeSlots == 0 || r.Reservations.ContainsKey(jobId)) return false;
        w[workerId] = With(r, new Reservation(jobId, Reservation.Unclaimed, 0, time.GetUtcNow()));
        return true;
    });

    public Task<bool> ReleaseAsync(string workerId, string jobId, long fencingToken, CancellationToken cancellationToken) => Locked(w =>
    {
        if (!w.TryGetValue(workerId, out var r) || !r.Reservations.TryGetValue(jobId, out var held) || held.FencingToken != fencingToken) return false;
        w[workerId] = r with { Reservations = r.Reservations.Where(kv => kv.Key != jobId).ToDictionary() };
        return true;
    });

    /// <summary>The registration with <paramref name="reservation"/> added.</summary>
    internal static WorkerRegistration With(WorkerRegistration r, Reservation reservation) =>
        r with { Reservations = new Dictionary<string, Reservation>(r.Reservations) { [reservation.JobId] = reservation } };

    /// <summary>Runs <paramref name="body"/> on the registrations under the registry's lock: the in-memory gang store's transactions.</summary>
    internal Task<T> Locked<T>(Func<Dictionary<string, WorkerRegistration>, T> body)
    {
        lock (_gate)
        {
            return Task.FromResult(body(_workers));
        }
    }

    private Task Change(string workerId, Func<WorkerRegistration, WorkerRegistration> change) => Locked(w =>
    {
        if (w.TryGetValue(workerId, out var r)) w[workerId] = change(r);
        return true;
    });
}
