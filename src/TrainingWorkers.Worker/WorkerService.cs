using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker;

/// <summary>
/// The poll loop: long-polls the jobs queue only while a job slot is free, runs each job in its slot, keeps
/// the instance protected from scale-in while any job runs, and on stop hands every running job off within
/// <see cref="WorkerOptions.ShutdownTimeout"/>. A queue that is missing or refused ends the process.
/// </summary>
internal sealed class WorkerService(
    IJobQueue queue, JobRunner runner, InstanceMonitor instance, WorkerState state, WorkerIdentity identity,
    IOptions<WorkerOptions> options, IOptions<AwsOptions> aws, IHostApplicationLifetime lifetime, ILogger<WorkerService> logger) : BackgroundService
{
    /// <summary>The exit code for configuration the worker cannot run with (queue missing, access denied).</summary>
    public const int FatalExitCode = 3;
    private static readonly TimeSpan ReceiveRetry = TimeSpan.FromSeconds(5);
    private readonly WorkerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The start-up check: a missing queue or refused credentials end the process; an unreachable endpoint is
        // waited out (not ready meanwhile), as a worker may start before the network is up.
        while (true)
        {
            try
            {
                runner.Policy = await queue.GetPolicyAsync(stoppingToken).ConfigureAwait(false);
                break;
            }
            catch (AwsServiceException e) when (e.Category == AwsErrorCategory.Fatal)
            {
                Fatal(e.Message);
                return;
            }
            catch (AwsServiceException e)
            {
                state.Beat();
                Log.ReceiveFailed(logger, e.Message, ReceiveRetry);
                await Task.Delay(ReceiveRetry, stoppingToken).ConfigureAwait(false);
            }
        }

        var slots = Slots();
        Log.Started(logger, identity.WorkerId, aws.Value.Queue.QueueUrl?.ToString() ?? "?", slots.Count, slots[0].Processes, string.Join(',', slots.SelectMany(s => s.Gpus)));
        state.Ready = true;
        var free = new Stack<JobSlot>(slots.AsEnumerable().Reverse());
        var running = new Dictionary<Task, JobSlot>();
        using var handOff = new CancellationTokenSource();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                state.Beat();
                foreach (var done in running.Keys.Where(t => t.IsCompleted).ToList())
                {
                    free.Push(running[done]);
                    running.Remove(done);
                }

                state.SetRunning(running.Count);
                await instance.SetBusyAsync(running.Count > 0, stoppingToken).ConfigureAwait(false);
                if (free.Count == 0)
                {
                    // Every slot is busy: wait for one to free up, beating for the liveness probe meanwhile.
                    await Task.WhenAny(running.Keys.Append(Task.Delay(TimeSpan.FromSeconds(5), stoppingToken))).ConfigureAwait(false);
                    continue;
                }

                IReadOnlyList<ReceivedJob> received;
                try
                {
                    received = await queue.ReceiveAsync(free.Count, _options.PollWait, _options.LeaseDuration, stoppingToken).ConfigureAwait(false);
                }
                catch (AwsServiceException e) when (e.Category == AwsErrorCategory.Fatal)
                {
                    Fatal(e.Message);
                    break;
                }
                catch (AwsServiceException e)
                {
                    Log.ReceiveFailed(logger, e.Message, ReceiveRetry);
                    await Task.Delay(ReceiveRetry, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                foreach (var message in received)
                {
                    var slot = free.Pop();
                    running[Task.Run(() => runner.RunAsync(message, slot, handOff.Token), CancellationToken.None)] = slot;
                }

                state.SetRunning(running.Count);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: hand off below.
        }

        state.RequestStop("the worker is shutting down");
        state.Ready = false;
        Log.Stopping(logger, state.StopReason, running.Count);
        // Each job checkpoints, uploads and gives itself back; the host's own limit is a little longer than this one.
        await handOff.CancelAsync().ConfigureAwait(false);
        await Task.WhenAny(Task.WhenAll(running.Keys), Task.Delay(_options.ShutdownTimeout, CancellationToken.None)).ConfigureAwait(false);
        state.SetRunning(running.Keys.Count(t => !t.IsCompleted));
        await instance.SetBusyAsync(false, CancellationToken.None).ConfigureAwait(false);
    }

    private void Fatal(string message)
    {
        Log.FatalConfiguration(logger, message);
        Environment.ExitCode = FatalExitCode;
        lifetime.StopApplication();
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
