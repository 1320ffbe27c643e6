using System.Globalization;
using TrainingWorkers.Core.Json;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Cli;

/// <summary>
/// What the launcher shows: in text mode a line per rank event on stdout; with --output json the
/// ranks' event lines as they came, on stderr (stdout gets the final report).
/// </summary>
internal sealed class LaunchView(bool json) : ILaunchObserver
{
    private readonly Lock _gate = new();

    public void Started(LaunchOptions options, string runPath) =>
        Text($"launching {options.ProcessesPerNode} rank(s) on node {options.NodeRank} of {options.Nodes} (world size {options.WorldSize}), store {options.MasterAddress}:{options.MasterPort}; run directory {runPath}");

    public void RankEvent(RankEvent e)
    {
        if (json)
        {
            Write(Console.Error, e.ToJsonLine());
            return;
        }

        var line = e.Event switch
        {
            RankEventKind.Joined => $"rank {e.Rank}: joined (pid {e.Pid})",
            RankEventKind.Epoch => $"epoch {e.Epoch}: " + string.Join("  ", (e.Metrics ?? new Dictionary<string, double>()).Select(m => $"{m.Key} {m.Value.ToString("G4", CultureInfo.InvariantCulture)}")),
            RankEventKind.Checkpoint => $"checkpoint {e.Checkpoint} written",
            RankEventKind.Done => $"rank {e.Rank}: done ({(e.StopReason is { } reason ? SnakeCase.Of(reason) : "?")})",
            RankEventKind.Failed => $"rank {e.Rank}: FAILED {e.Failure}",
            _ => null,
        };
        if (line is not null) Text(line);
    }

    public void RankLog(int rank, string line) => Write(Console.Error, $"[rank {rank}] {line}");

    public void GroupStopped(int attempt, RankFailure failure, bool restarting) =>
        Write(Console.Error, $"tw run: group stopped (attempt {attempt + 1}): {failure}{(restarting ? "; restarting all ranks from the last checkpoint" : "")}");

    public void Finished(LaunchResult result, LaunchOptions options, string runPath)
    {
        if (result.Succeeded) Text($"all {options.ProcessesPerNode} rank(s) on this node finished ({result.Restarts} restart(s)); results in {runPath}");
        else if (result.Failure is { } f) Write(Console.Error, $"tw run: failed after {result.Restarts} restart(s): {f}");
    }

    private void Text(string line)
    {
        if (!json) Write(Console.Out, line);
    }

    private void Write(TextWriter writer, string line)
    {
        lock (_gate) writer.WriteLine(line);
    }
}
