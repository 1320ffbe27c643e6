using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Worker.Gangs;

namespace TrainingWorkers.Worker;

/// <summary>
/// The poll loop: keeps this worker's registration (<see cref="RegistrationHeartbeat"/>), long-polls the jobs queue only
/// while a job slot is free, runs each job in its slot, starts the nodes of gangs that reserved a slot (as soon as the
/// registration reads the reservation, even while a poll is under way), keeps the instance protected from scale-in while
/// any job runs, and on stop hands every running job off within
/// <see cref="WorkerOptions.ShutdownTimeout"/>. A queue that is missing or refused ends the process with exit code 3;
/// a poll loop that fails for any other reason ends it with exit code 1.
/// </summary>
internal sealed class WorkerService(
    IJobQueue queue, JobRunner runner, GangMember members, RegistrationHeartbeat registrations, JobSettlement settlement, InstanceMonitor instance, WorkerState state,
    WorkerIdentity identity, IOptions<WorkerOptions> options, IOptions<AwsOptions> aws, ILogger<WorkerService> logger) : BackgroundService
{
    private static readonly TimeSpan ReceiveRetry = TimeSpan.FromSeconds(5);
    private readonly WorkerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!await CheckQueueAsync(stoppingToken).ConfigureAwait(false)) return;
            await PollAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped during the start-up check.
        }
        catch (Exception e)
        {
            // Restart=on-failure must see this: a worker that no longer polls is not a clean stop.
            Log.PollLoopFailed(logger, e);
            state.StopFailed();
        }
    }

    // The start-up check: a missing queue or refused credentials end the process; an unreachable endpoint is
    // waited out (not ready meanwhile), as a worker may start before the network is up.
    private Task<bool> CheckQueueAsync(CancellationToken stoppingToken) => StartUpCallAsync(
        async () => settlement.Policy = await queue.GetPolicyAsync(stoppingToken).ConfigureAwait(false),
        message => Log.ReceiveFailed(logger, message, ReceiveRetry), stoppingToken);

    // Like the queue's check: a table that is missing or refused ends the process; an endpoint that does not answer is waited out.
    private Task<bool> RegisterAsync(RegistrationHeartbeat registration, IReadOnlyList<JobSlot> slots, CancellationToken stoppingToken) => StartUpCallAsync(
        () => registration.StartAsync(slots, stoppingToken), message => Log.RegistrationFailed(logger, message), stoppingToken);

    private async Task<bool> StartUpCallAsync(Func<Task> call, Action<string> retrying, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await call().ConfigureAwait(false);
                return true;
            }
            catch (AwsServiceException e) when (e.Category == AwsErrorCategory.Fatal)
            {
                Fatal(e.Message);
                return false;
            }
            catch (AwsServiceException e)
            {
                state.Beat();
                retrying(e.Message);
                await Task.Delay(ReceiveRetry, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        var slots = Slots();
        await using var registration = registrations;
        if (!await RegisterAsync(registration, slots, stoppingToken).ConfigureAwait(false)) return;
        Log.Started(logger, identity.WorkerId, aws.Value.Queue.QueueUrl?.ToString() ?? "?", slots.Count, slots[0].Processes, string.Join(',', slots.SelectMany(s => s.Gpus)));
        state.Ready = true;
        var free = new Stack<JobSlot>(slots.AsEnumerable().Reverse());
        var running = new Dictionary<Task, JobSlot>();
        // The reservations whose node this worker started: the registration read last may still show one that has ended.
        var started = new HashSet<(string JobId, long Token)>();
        using var handOff = new CancellationTokenSource();
        Task<IReadOnlyList<ReceivedJob>>? pending = null;
        var stopped = Task.Delay(Timeout.Infinite, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            state.Beat();
            foreach (var done in running.Keys.Where(t => t.IsCompleted).ToList())
            {
                free.Push(running[done]);
                running.Remove(done);
            }

            // Gangs that reserved a slot of this worker: their nodes start now, without a message.
            var reserved = registration.Reserved();
            started.IntersectWith(reserved.Select(r => (r.JobId, r.FencingToken)));
            foreach (var reservation in reserved.Where(r => !started.Contains((r.JobId, r.FencingToken))))
            {
                if (free.Count == 0) break;
                var slot = free.Pop();
                var node = Task.Run(() => members.RunAsync(reservation, slot, handOff.Token), CancellationToken.None);
                running[node] = slot;
                started.Add((reservation.JobId, reservation.FencingToken));
            }

            state.SetRunning(running.Count);
            await instance.SetBusyAsync(running.Count > 0, CancellationToken.None).ConfigureAwait(false);

            // The long poll is not cancelled when the worker stops: SQS would still hand a message that arrives
            // meanwhile to the abandoned request, hidden for the visibility timeout. It ends within PollWait,
            // and what it brings is given back at once (below).
            if (pending is null && free.Count > 0) pending = queue.ReceiveAsync(free.Count, _options.PollWait, _options.LeaseDuration, CancellationToken.None);
            Task[] waits = [stopped, registration.Changed, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None), .. running.Keys, .. pending is null ? [] : new Task[] { pending }];
            if (await Task.WhenAny(waits).ConfigureAwait(false) == stopped) break;
            if (pending is not { IsCompleted: true }) continue;
            IReadOnlyList<ReceivedJob> received;
            try
            {
                received = await pending.ConfigureAwait(false);
                pending = null;
            }
            catch (AwsServiceException e) when (e.Category == AwsErrorCategory.Fatal)
            {
                pending = null;
                Fatal(e.Message);
                break;
            }
            catch (AwsServiceException e)
            {
                pending = null;
                Log.ReceiveFailed(logger, e.Message, ReceiveRetry);
                await Task.WhenAny(Task.Delay(ReceiveRetry, CancellationToken.None), stopped).ConfigureAwait(false);
                continue;
            }

            foreach (var message in received)
            {
                if (free.Count == 0)
                {
                    // A gang took the slot this message was asked for while the poll was under way: another worker takes it now.
                    await queue.ReleaseAsync(message, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }

                var slot = free.Pop();
                running[Task.Run(() => runner.RunAsync(message, slot, handOff.Token), CancellationToken.None)] = slot;
            }

            state.SetRunning(running.Count);
        }

        state.RequestStop("the worker is shutting down");
        state.Ready = false;
        Log.Stopping(logger, state.StopReason, running.Count);
        // No gang reserves this worker from now on; the nodes it runs ask their node 0 to hand their jobs off.
        await registration.DrainAsync(CancellationToken.None).ConfigureAwait(false);
        // Each job checkpoints, uploads and gives itself back within the budget; the host's own limit is a little longer.
        state.BeginShutdown(_options.ShutdownTimeout, Reserve(_options.ShutdownTimeout));
        await handOff.CancelAsync().ConfigureAwait(false);
        var reservedNotStarted = registration.Reserved().Where(r => !started.Contains((r.JobId, r.FencingToken)))
            .Select(r => members.RunAsync(r, slots[0], handOff.Token)).ToList();
        var givenBack = GiveBackAsync(pending);
        await Task.WhenAny(Task.WhenAll(running.Keys.Append(givenBack).Concat(reservedNotStarted)), Task.Delay(_options.ShutdownTimeout, CancellationToken.None)).ConfigureAwait(false);
        state.SetRunning(running.Keys.Count(t => !t.IsCompleted));
        await instance.SetBusyAsync(false, CancellationToken.None).ConfigureAwait(false);
    }

    // What a long poll still under way at the stop brings: released at once for another worker.
    private async Task GiveBackAsync(Task<IReadOnlyList<ReceivedJob>>? pending)
    {
        if (pending is null) return;
        try
        {
            foreach (var message in await pending.ConfigureAwait(false))
            {
                await queue.ReleaseAsync(message, state.FinalWrites).ConfigureAwait(false);
                Log.GivenBack(logger, message.Job?.JobId ?? message.MessageId, state.StopReason);
            }
        }
        catch (Exception e) when (e is AwsServiceException or OperationCanceledException)
        {
            Log.GiveBackFailed(logger, "(received at the stop)", e.Message);
        }
    }

    // The last status writes need a few seconds after the last upload is abandoned.
    private static TimeSpan Reserve(TimeSpan budget) => budget / 4 < TimeSpan.FromSeconds(10) ? budget / 4 : TimeSpan.FromSeconds(10);

    private void Fatal(string message)
    {
        if (state.StopFatally(message)) Log.FatalConfiguration(logger, message);
    }

    private List<JobSlot> Slots()
    {
        var gpus = Gpus.Visible();
        var count = _options.MaxConcurrentJobs;
        var share = gpus.Count / count;
        return Enumerable.Range(0, count).Select(i =>
        {
            var mine = share > 0 ? gpus.Skip(i * share).Take(share).ToList() : [];
            var processes = _options.ProcessesPerJob > 0 ? _options.ProcessesPerJob : Math.Max(1, mine.Count);
            return new JobSlot(i, mine, processes);
        }).ToList();
    }
}
