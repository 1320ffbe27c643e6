namespace TrainingWorkers.Core.Gangs;

/// <summary>
/// A worker as the job store knows it: where its ranks can be reached, its job slots and what holds them, and when it
/// last showed it is alive. Gangs are formed from these: a worker whose heartbeat is stale, or that drains, is never
/// reserved.
/// </summary>
public sealed record WorkerRegistration
{
    public required string WorkerId { get; init; }

    /// <summary>The address other nodes reach this worker's rank 0 at (its private IP on EC2).</summary>
    public required string Address { get; init; }

    /// <summary>Job slots (<c>Worker:MaxConcurrentJobs</c>).</summary>
    public required int Slots { get; init; }

    /// <summary>GPUs in each job slot (0 on a machine without GPUs).</summary>
    public int GpusPerSlot { get; init; }

    public string? InstanceType { get; init; }

    /// <summary>The worker's last heartbeat, by its own clock.</summary>
    public required DateTimeOffset HeartbeatAt { get; init; }

    /// <summary>The worker stops: it takes no new job and no reservation.</summary>
    public bool Draining { get; init; }

    /// <summary>What holds its slots, by job id: its own jobs and the gangs that reserved it.</summary>
    public IReadOnlyDictionary<string, Reservation> Reservations { get; init; } = new Dictionary<string, Reservation>();

    public int FreeSlots => Math.Max(0, Slots - Reservations.Count);

    /// <summary>Whether its heartbeat is younger than <paramref name="staleAfter"/> at <paramref name="now"/>.</summary>
    public bool IsFresh(DateTimeOffset now, TimeSpan staleAfter) => now - HeartbeatAt < staleAfter;

    /// <summary>Whether a gang may reserve a slot of it for <paramref name="jobId"/> now.</summary>
    public bool IsReservable(string jobId, DateTimeOffset now, TimeSpan staleAfter) =>
        IsFresh(now, staleAfter) && !Draining && FreeSlots > 0 && !Reservations.ContainsKey(jobId);
}
