using System.Globalization;
using TrainingWorkers.Aws.Logs;
using TrainingWorkers.Core.Json;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker;

/// <summary>
/// Ships one job attempt's rank output to its CloudWatch Logs stream (<c>tw logs JOB</c> reads it): every line a
/// rank writes outside the protocol, and the protocol's milestones in words (epochs with their metrics,
/// checkpoints, the end, failures). It passes every call on to the job's own observer. Without a log group it
/// only passes calls on.
/// </summary>
internal sealed class JobLogShipper(JobLogWriter? writer, ILaunchObserver inner) : ILaunchObserver, IAsyncDisposable
{
    /// <summary>Starts the attempt's log with who runs it.</summary>
    public static JobLogShipper Start(JobLogs logs, string jobId, long attempt, WorkerIdentity identity, ILaunchObserver inner)
    {
        var shipper = new JobLogShipper(logs.OpenWriter(jobId, attempt), inner);
        shipper.Write($"attempt {attempt} on worker {identity.WorkerId}" + (identity.InstanceType is { } type ? $" ({type})" : ""));
        return shipper;
    }

    public void RankEvent(RankEvent e)
    {
        inner.RankEvent(e);
        if (Describe(e) is { } line) Write(line);
    }

    public void RankLog(int rank, string line)
    {
        inner.RankLog(rank, line);
        Write($"rank {rank}: {line}");
    }

    public void GroupStopped(int attempt, RankFailure failure, bool restarting)
    {
        inner.GroupStopped(attempt, failure, restarting);
        Write($"rank group stopped: {failure}; {(restarting ? "restarting from the last checkpoint" : "not restarting")}");
    }

    /// <summary>Sends what is left (bounded); the log is complete before the job's outcome is written.</summary>
    public ValueTask DisposeAsync() => writer?.DisposeAsync() ?? ValueTask.CompletedTask;

    private void Write(string line) => writer?.Write(line);

    // Progress comes every half second: it stays in the job's record, not in its log.
    private static string? Describe(RankEvent e) => e.Event switch
    {
        RankEventKind.Joined when e.Rank == 0 => $"ranks joined (world size {e.WorldSize})",
        RankEventKind.Epoch when e.Metrics is { } metrics => $"epoch {e.Epoch}{(e.Epochs is { } n ? "/" + n.ToString(CultureInfo.InvariantCulture) : "")}: " +
            string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value.ToString("G5", CultureInfo.InvariantCulture)}")),
        RankEventKind.Checkpoint => $"checkpoint {e.Checkpoint} written",
        RankEventKind.Done when e.Rank == 0 => $"done: {(e.StopReason is { } reason ? SnakeCase.Of(reason) : "?")} after " +
            $"{e.Seconds?.ToString("F1", CultureInfo.InvariantCulture)} s of training",
        RankEventKind.Failed => $"rank {e.Rank} failed: {e.Failure}",
        _ => null,
    };
}
