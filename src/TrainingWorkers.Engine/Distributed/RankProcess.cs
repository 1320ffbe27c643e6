using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>What a rank process tells its launcher: an event, a log line, or that it exited.</summary>
internal sealed record RankMessage(int Rank, RankEvent? Event = null, string? Log = null, int? ExitCode = null);

/// <summary>
/// One rank as a child process. Its stdin is a pipe the launcher never writes: when the launcher
/// dies, the pipe closes and the rank kills itself, so no rank outlives its launcher.
/// </summary>
internal sealed partial class RankProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _pump;

    private RankProcess(Process process, int rank, ChannelWriter<RankMessage> inbox)
    {
        _process = process;
        Rank = rank;
        _pump = PumpAsync(inbox);
    }

    public int Rank { get; }
    public int Pid => _process.Id;

    public static RankProcess Start(LaunchOptions options, int attempt, int localRank, ChannelWriter<RankMessage> inbox)
    {
        var rank = (options.NodeRank * options.ProcessesPerNode) + localRank;
        var info = new ProcessStartInfo(options.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in options.Arguments) info.ArgumentList.Add(a);
        if (attempt > 0)
        {
            foreach (var a in options.ResumeArguments) info.ArgumentList.Add(a);
        }

        string Text(int v) => v.ToString(CultureInfo.InvariantCulture);
        var env = info.Environment;
        foreach (var (name, value) in options.Environment) env[name] = value;
        env["RANK"] = Text(rank);
        env["WORLD_SIZE"] = Text(options.WorldSize);
        env["LOCAL_RANK"] = Text(localRank);
        env["LOCAL_WORLD_SIZE"] = Text(options.ProcessesPerNode);
        env["GROUP_RANK"] = Text(options.NodeRank);
        env["MASTER_ADDR"] = options.MasterAddress;
        env["MASTER_PORT"] = Text(options.MasterPort);
        env["TW_DIST_TIMEOUT_SECONDS"] = Text((int)Math.Ceiling(options.CollectiveTimeout.TotalSeconds));
        env["TW_RESTART"] = Text(attempt);
        env["TW_LAUNCHER"] = "1";
        // OMP_WAIT_POLICY: each rank sets PASSIVE itself unless set (RankRun), also when torchrun started it.
        // NCCL: turn a failed or timed-out collective into an error instead of a hang.
        env["TORCH_NCCL_ASYNC_ERROR_HANDLING"] = "1";
        env["NCCL_ASYNC_ERROR_HANDLING"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {options.Executable}");
        return new RankProcess(process, rank, inbox);
    }

    /// <summary>SIGTERM: the rank asks the group to stop after the next step and checkpoints.</summary>
    public void Terminate()
    {
        if (!_process.HasExited) _ = Kill(_process.Id, 15);
    }

    /// <summary>SIGKILL, then waits (bounded) until the process is gone.</summary>
    public async Task KillAsync(TimeSpan timeout)
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
    }

    /// <summary>The output pumps end when the process has exited and its pipes are drained.</summary>
    public Task Completion => _pump;

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private async Task PumpAsync(ChannelWriter<RankMessage> inbox)
    {
        async Task Lines(StreamReader reader, bool protocol)
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                var e = protocol ? RankEvent.TryParse(line) : null;
                await inbox.WriteAsync(e is null ? new RankMessage(Rank, Log: line) : new RankMessage(Rank, Event: e)).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(Lines(_process.StandardOutput, protocol: true), Lines(_process.StandardError, protocol: false)).ConfigureAwait(false);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await inbox.WriteAsync(new RankMessage(Rank, ExitCode: _process.ExitCode)).ConfigureAwait(false);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
