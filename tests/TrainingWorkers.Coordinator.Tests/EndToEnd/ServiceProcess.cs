using System.Diagnostics;
using System.Text;

namespace TrainingWorkers.Coordinator.Tests.EndToEnd;

/// <summary>A real <c>tw-coordinator</c> or <c>tw</c> process (the dll beside the tests), its output, and a kill as a lost machine would.</summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private ServiceProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public string Stdout
    {
        get
        {
            lock (_gate) return _stdout.ToString();
        }
    }

    public string Log
    {
        get
        {
            lock (_gate) return _stdout + _stderr.ToString();
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
        started._process.OutputDataReceived += (_, e) => started.Append(started._stdout, e.Data);
        started._process.ErrorDataReceived += (_, e) => started.Append(started._stderr, e.Data);
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        return started;
    }

    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"{Name}: no '{text}' within {timeout}; log:\n{Log}");
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before '{text}'; log:\n{Log}");
            await Task.Delay(100);
        }
    }

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

    /// <summary>SIGKILL: as a lost instance would, no chance to release anything.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>SIGTERM: as systemd or ECS would stop it.</summary>
    public void Terminate()
    {
        if (Sys.Kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -15 {_process.Id} failed");
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

    private void Append(StringBuilder target, string? line)
    {
        if (line is null) return;
        lock (_gate) target.AppendLine(line);
    }

    private static partial class Sys
    {
        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static partial int Kill(int pid, int signal);
    }
}
