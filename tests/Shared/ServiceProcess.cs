using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace TrainingWorkers.Testing;

/// <summary>
/// A real tw-worker, tw-coordinator or tw process (its dll beside the tests), its output, and the signals a fleet sends it.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly StringBuilder _stdout = new();
    private readonly Lock _gate = new();

    private ServiceProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Standard output and standard error, line by line as they came.</summary>
    public string Log
    {
        get
        {
            lock (_gate) return _log.ToString();
        }
    }

    /// <summary>Standard output alone (what a command prints as its result).</summary>
    public string Stdout
    {
        get
        {
            lock (_gate) return _stdout.ToString();
        }
    }

    /// <param name="environment">Added to this process's environment; a null value removes the variable.</param>
    public static ServiceProcess Start(string name, string dll, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment)
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        var started = new ServiceProcess(Process.Start(info)!, name);
        started._process.OutputDataReceived += (_, e) => started.Append(e.Data, stdout: true);
        started._process.ErrorDataReceived += (_, e) => started.Append(e.Data, stdout: false);
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Waits until the log has a line containing <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > timeout) throw new TimeoutException($"{Name}: no '{text}' within {timeout}; log:\n{Log}");
            if (HasExited) throw new InvalidOperationException($"{Name} exited ({ExitCode}) before '{text}'; log:\n{Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>As the kernel's OOM killer or a lost instance would: no chance to clean up.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>As systemd, ECS or a spot reclaim would: a graceful stop.</summary>
    public void Terminate() => Signal(15);

    private void Signal(int signal)
    {
        if (Sys.Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill -{signal} {_process.Id} failed");
    }

    /// <summary>SIGSTOP, as a long GC pause, a frozen VM or a network partition would look to the others.</summary>
    public void Pause() => Signal(19);

    /// <summary>SIGCONT: the process carries on where it stopped, unaware of the time that passed.</summary>
    public void Resume() => Signal(18);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}; log:\n{Log}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line, bool stdout)
    {
        if (line is null) return;
        lock (_gate)
        {
            _log.AppendLine(line);
            if (stdout) _stdout.AppendLine(line);
        }
    }

    private static partial class Sys
    {
        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static partial int Kill(int pid, int signal);
    }
}
