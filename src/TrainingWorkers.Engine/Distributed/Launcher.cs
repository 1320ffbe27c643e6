using System.Diagnostics;
using System.Threading.Channels;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// torchrun for tw: starts this node's ranks, relays their events, and fails fast: when a rank
/// exits with an error, is killed, or sends nothing for <see cref="LaunchOptions.ProgressTimeout"/>,
/// it kills the whole group at once and restarts it from the last checkpoint, up to
/// <see cref="LaunchOptions.MaxRestarts"/> times, when the failure is one another attempt may not repeat
/// (<see cref="JobFailure.IsRetryable"/>): bad input and out of memory are never retried.
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

            // Only a failure another attempt may not repeat is worth a restart: bad input or out of memory would fail the same way.
            var restarting = !group.Cancelled && group.Failure.Failure.IsRetryable && attempt < options.MaxRestarts;
            observer.GroupStopped(attempt, group.Failure, restarting);
            if (!restarting)
            {
                return new LaunchResult { Succeeded = false, Cancelled = group.Cancelled, Restarts = attempt, Failure = group.Failure };
            }
        }
    }

    private sealed record GroupOutcome(RankFailure? Failure, bool Cancelled, string? Report);

    private async Task<GroupOutcome> RunGroupAsync(int attempt, CancellationToken cancellationToken)
    {
        var inbox = Channel.CreateUnbounded<RankMessage>();
        var ranks = new List<RankProcess>();
        var clock = Stopwatch.StartNew();
        // Failures in the order the launcher learnt of them; the first one is the group's error.
        var failures = new List<RankFailure>();
        var reported = new Dictionary<int, RankFailure>();
        var lastWords = new Dictionary<int, LastWords>();
        string? report = null;
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
                    failures.Add(Crashed(running.Min(), $"the ranks did not stop within {CancelGrace.TotalSeconds} s of cancellation"));
                    break;
                }

                var stalled = running.FirstOrDefault(r => clock.Elapsed - lastHeard[r] > options.ProgressTimeout, -1);
                if (stalled >= 0)
                {
                    failures.Add(Crashed(stalled, $"rank {stalled} (pid {byRank[stalled].Pid}) stalled: it sent nothing for {options.ProgressTimeout.TotalSeconds} s"));
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
                        if (e is { Event: RankEventKind.Failed, Failure: { } failure }) reported[m.Rank] = new RankFailure(m.Rank, failure);
                        if (e is { Event: RankEventKind.Done, Report: not null }) report = e.Report;
                    }
                    else if (m.Log is { } line)
                    {
                        observer.RankLog(m.Rank, line);
                        if (!lastWords.TryGetValue(m.Rank, out var words)) lastWords[m.Rank] = words = new LastWords();
                        words.Add(line);
                    }
                    else if (m.ExitCode is { } code)
                    {
                        running.Remove(m.Rank);
                        if (code == ExitCodes.Success || (code == ExitCodes.Cancelled && cancelled)) continue;
                        failures.Add(reported.GetValueOrDefault(m.Rank) ?? Exited(m.Rank, byRank[m.Rank].Pid, code, lastWords.GetValueOrDefault(m.Rank)));
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
        return new GroupOutcome(first, cancelled, report);
    }

    private static RankFailure Crashed(int rank, string message) => new(rank, JobFailure.Of(FailureKind.Crashed, message));

    // A rank that died without reporting: its exit code and its last lines on stderr say what can be said.
    private static RankFailure Exited(int rank, int pid, int code, LastWords? words)
    {
        var how = code > 128
            ? $"rank {rank} (pid {pid}) was killed by signal {code - 128}{(code == 137 ? " (SIGKILL)" : "")}"
            : $"rank {rank} (pid {pid}) exited with code {code} without reporting an error";
        var said = words?.Text;
        var kind = code == ExitCodes.InvalidInput ? FailureKind.InvalidInput : said is null ? FailureKind.Crashed : JobFailure.KindOf(said);
        return new RankFailure(rank, JobFailure.Of(kind, said is null ? how : $"{how}; its last words: {said}"));
    }
}
