using System.Diagnostics;
using System.Threading.Channels;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// torchrun for tw: starts this node's ranks, relays their events, and fails fast: when a rank
/// exits with an error, is killed, or sends nothing for <see cref="LaunchOptions.ProgressTimeout"/>,
/// it kills the whole group at once and restarts it from the last checkpoint, up to
/// <see cref="LaunchOptions.MaxRestarts"/> times. Bad input (exit code 2) is never retried.
/// </summary>
public sealed class Launcher(LaunchOptions options, ILaunchObserver observer)
{
    /// <summary>How long ranks get to checkpoint and exit after the launcher is cancelled.</summary>
    public static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    public async Task<LaunchResult> RunAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var group = await RunGroupAsync(attempt, cancellationToken).ConfigureAwait(false);
            if (group.Failure is null)
            {
                return new LaunchResult { Succeeded = !group.Cancelled, Cancelled = group.Cancelled, Restarts = attempt, Report = group.Report };
            }

            var restarting = !group.Cancelled && !group.InvalidInput && attempt < options.MaxRestarts;
            observer.GroupStopped(attempt, group.Failure, restarting);
            if (!restarting)
            {
                return new LaunchResult { Succeeded = false, Cancelled = group.Cancelled, InvalidInput = group.InvalidInput, Restarts = attempt, Failure = group.Failure };
            }
        }
    }

    private sealed record GroupOutcome(RankFailure? Failure, bool Cancelled, bool InvalidInput, string? Report);

    private async Task<GroupOutcome> RunGroupAsync(int attempt, CancellationToken cancellationToken)
    {
        var inbox = Channel.CreateUnbounded<RankMessage>();
        var ranks = new List<RankProcess>();
        var clock = Stopwatch.StartNew();
        // Failures in the order the launcher learnt of them; the first one is the group's error.
        var failures = new List<RankFailure>();
        var reported = new Dictionary<int, RankFailure>();
        string? report = null;
        var invalid = false;
        var cancelled = false;
        try
        {
            for (var local = 0; local < options.ProcessesPerNode; local++) ranks.Add(RankProcess.Start(options, attempt, local, inbox.Writer));
            var byRank = ranks.ToDictionary(r => r.Rank);
            var lastHeard = ranks.ToDictionary(r => r.Rank, _ => clock.Elapsed);
            var running = ranks.Select(r => r.Rank).ToHashSet();
            TimeSpan? cancelDeadline = null;
            Task<bool>? waiting = null;
            while (running.Count > 0)
            {
                if (cancellationToken.IsCancellationRequested && cancelDeadline is null)
                {
                    cancelled = true;
                    cancelDeadline = clock.Elapsed + CancelGrace;
                    foreach (var r in ranks) r.Terminate();
                }

                if (cancelDeadline is { } deadline && clock.Elapsed > deadline)
                {
                    failures.Add(new RankFailure(running.Min(), "cancel_timeout", $"the ranks did not stop within {CancelGrace.TotalSeconds} s of cancellation"));
                    break;
                }

                var stalled = running.FirstOrDefault(r => clock.Elapsed - lastHeard[r] > options.ProgressTimeout, -1);
                if (stalled >= 0)
                {
                    failures.Add(new RankFailure(stalled, "stalled", $"rank {stalled} (pid {byRank[stalled].Pid}) sent nothing for {options.ProgressTimeout.TotalSeconds} s"));
                    break;
                }

                waiting ??= inbox.Reader.WaitToReadAsync().AsTask();
                if (await Task.WhenAny(waiting, Task.Delay(Tick, CancellationToken.None)).ConfigureAwait(false) != waiting) continue;
                waiting = null;
                var stop = false;
                while (inbox.Reader.TryRead(out var m))
                {
                    lastHeard[m.Rank] = clock.Elapsed;
                    if (m.Event is { } e)
                    {
                        observer.RankEvent(e);
                        if (e.Event == "failed") reported[m.Rank] = new RankFailure(m.Rank, e.Error ?? "failed", e.Message ?? "");
                        if (e.Event == "done" && e.Report is not null) report = e.Report;
                    }
                    else if (m.Log is { } line)
                    {
                        observer.RankLog(m.Rank, line);
                    }
                    else if (m.ExitCode is { } code)
                    {
                        running.Remove(m.Rank);
                        if (code == 0 || (code == 130 && cancelled)) continue;
                        invalid |= code == 2;
                        failures.Add(reported.GetValueOrDefault(m.Rank) ?? new RankFailure(m.Rank, "exited", ExitText(m.Rank, byRank[m.Rank].Pid, code)));
                        stop = true;
                    }
                }

                if (stop) break;
            }
        }
        finally
        {
            // Fail fast: whatever still runs is killed now; the restart resumes from the last checkpoint.
            await Task.WhenAll(ranks.Select(r => r.KillAsync(KillWait))).ConfigureAwait(false);
            await Task.WhenAll(ranks.Select(r => r.Completion)).ConfigureAwait(false);
            foreach (var r in ranks) r.Dispose();
            // Ends a wait still pending on the inbox: nothing writes to it any more.
            inbox.Writer.TryComplete();
        }

        // A rank's own report of its error beats the launcher's view of its exit.
        var first = failures.Count == 0 ? null : reported.GetValueOrDefault(failures[0].Rank) ?? failures[0];
        if (first is null && cancelled) return new GroupOutcome(null, true, false, report);
        return new GroupOutcome(first, cancelled, invalid, report);
    }

    private static string ExitText(int rank, int pid, int code) => code > 128
        ? $"rank {rank} (pid {pid}) was killed by signal {code - 128}{(code == 137 ? " (SIGKILL)" : "")}"
        : $"rank {rank} (pid {pid}) exited with code {code} without reporting an error";
}
