namespace TrainingWorkers.Core.Gangs;

/// <summary>
/// Every worker's registration in the job store (<see cref="WorkerRegistration"/>): its heartbeat, its address for
/// rendezvous, and the reservations that hold its slots. A slot is taken by adding a reservation with a conditional
/// write, so a worker's own job and a gang's reservation can never both get the last slot.
/// </summary>
public interface IWorkerRegistry
{
    /// <summary>Writes the worker's registration, replacing one a previous run of it left (with its reservations).</summary>
    Task RegisterAsync(WorkerRegistration registration, CancellationToken cancellationToken);

    /// <summary>Renews the heartbeat; returns the registration with its reservations, or null when it is gone (register again).</summary>
    Task<WorkerRegistration?> BeatAsync(string workerId, CancellationToken cancellationToken);

    /// <summary>Marks the worker as stopping: it is reserved no more.</summary>
    Task DrainAsync(string workerId, CancellationToken cancellationToken);

    /// <summary>Removes the registration (the worker stopped cleanly).</summary>
    Task DeregisterAsync(string workerId, CancellationToken cancellationToken);

    /// <summary>Every registration, fresh or not.</summary>
    Task<IReadOnlyList<WorkerRegistration>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Takes one of the worker's own slots for a job it received; false when its slots are all held (a gang reserved it).</summary>
    Task<bool> TryTakeSlotAsync(string workerId, string jobId, CancellationToken cancellationToken);

    /// <summary>Gives back the slot held for <paramref name="jobId"/> under <paramref name="fencingToken"/>; false when it is not held so (released already).</summary>
    Task<bool> ReleaseAsync(string workerId, string jobId, long fencingToken, CancellationToken cancellationToken);
}
