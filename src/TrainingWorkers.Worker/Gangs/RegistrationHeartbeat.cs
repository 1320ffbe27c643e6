using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Core.Gangs;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>
/// This worker's registration in the job store: written at start, renewed every <see cref="WorkerOptions.RegistrationInterval"/>
/// while the poll loop is alive (a hung worker goes stale and is reserved no more), marked draining when the worker stops,
/// removed at the end. Each renewal reads back the reservations gangs made of this worker's slots; a new one completes
/// <see cref="Changed"/>, so the poll loop starts that node without waiting for its long poll.
/// </summary>
internal sealed class RegistrationHeartbeat(IWorkerRegistry registry, WorkerIdentity identity, WorkerState state, IOptions<WorkerOptions> options,
    TimeProvider time, ILogger<RegistrationHeartbeat> logger) : IAsyncDisposable
{
    private readonly WorkerOptions _options = options.Value;
    private readonly CancellationTokenSource _ended = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkerRegistration? _latest;
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    /// <summary>Completes when a gang reserved a slot of this worker since the last call of <see cref="Reserved"/>.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>The reservations other workers' gangs made of this worker's slots (node 1 and up), as last read.</summary>
    public IReadOnlyList<Reservation> Reserved()
    {
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return Volatile.Read(ref _latest)?.Reservations.Values.Where(r => r.Node > 0).ToList() ?? [];
    }

    public async Task StartAsync(IReadOnlyList<JobSlot> slots, CancellationToken cancellationToken)
    {
        var registration = new WorkerRegistration
        {
            WorkerId = identity.WorkerId, Address = identity.Address, Slots = slots.Count, GpusPerSlot = slots.Min(s => s.Gpus.Count),
            InstanceType = identity.InstanceType, HeartbeatAt = time.GetUtcNow(),
        };
        await registry.RegisterAsync(registration, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _latest, registration);
        Log.Registered(logger, identity.WorkerId, identity.Address, slots.Count, registration.GpusPerSlot);
        _loop = LoopAsync(_ended.Token);
    }

    /// <summary>No gang reserves this worker from now on.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registry.DrainAsync(identity.WorkerId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AwsServiceException or OperationCanceledException)
        {
            // Its heartbeat stops with the worker: it goes stale, which gangs also skip.
            Log.RegistrationFailed(logger, e.Message);
        }
    }

    /// <summary>Stops the renewals and removes the registration; the poll loop calls it as it ends, and the host's container again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _ended.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _ended.Dispose();
        try
        {
            await registry.DeregisterAsync(identity.WorkerId, state.FinalWrites).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AwsServiceException or OperationCanceledException)
        {
            Log.RegistrationFailed(logger, e.Message);
        }
    }

    private async Task LoopAsync(CancellationToken ended)
    {
        using var timer = new PeriodicTimer(_options.RegistrationInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ended).ConfigureAwait(false))
            {
                // A poll loop that stopped turning must not look alive to the gangs that would reserve it.
                if (time.GetUtcNow() - state.LastBeat > _options.RegistrationStaleAfter) continue;
                await BeatAsync(ended).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The worker stopped.
        }
    }

    private async Task BeatAsync(CancellationToken ended)
    {
        try
        {
            var before = Volatile.Read(ref _latest);
            var now = await registry.BeatAsync(identity.WorkerId, ended).ConfigureAwait(false);
            if (now is null && before is not null)
            {
                // The item is gone (a table restored, a person's cleanup): written again with the slots this worker knows are held.
                now = before with { HeartbeatAt = time.GetUtcNow() };
                await registry.RegisterAsync(now, ended).ConfigureAwait(false);
            }

            Volatile.Write(ref _latest, now);
            if (now is not null && now.Reservations.Keys.Except(before?.Reservations.Keys ?? []).Any()) Volatile.Read(ref _changed).TrySetResult();
        }
        catch (AwsServiceException e)
        {
            Log.RegistrationFailed(logger, e.Message);
        }
    }
}
