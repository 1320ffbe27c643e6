using System.Diagnostics;

namespace TrainingWorkers.Cli.Tests;

/// <summary>Runs the real `tw` (tw.dll beside the tests) as a child process.</summary>
internal sealed class TwProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _stdout = new();
    private readonly System.Text.StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private TwProcess(Process process) => _process = process;

    public static TwProcess Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    /// <summary>Starts `tw` with <paramref name="environment"/> set in its environment (a null value removes the variable).</summary>
    public static TwProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tw.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var tw = new TwProcess(Process.Start(info)!);
        tw._process.OutputDataReceived += (_, e) => tw.Append(tw._stdout, e.Data);
        tw._process.ErrorDataReceived += (_, e) => tw.Append(tw._stderr, e.Data);
        tw._process.BeginOutputReadLine();
        tw._process.BeginErrorReadLine();
        return tw;
    }

    /// <summary>Runs to the end (at most <paramref name="timeout"/>) and returns the exit code and output.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunAsync(workingDirectory, null, timeout, args);

    /// <summary>As <see cref="RunAsync(string, TimeSpan, string[])"/>, with <paramref name="environment"/> set for the process.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?>? environment,
        TimeSpan timeout, params string[] args)
    {
        using var tw = Start(workingDirectory, environment, args);
        return (await tw.WaitAsync(timeout), tw.Stdout, tw.Stderr);
    }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_gate) return _stdout.ToString();
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate) return _stderr.ToString();
        }
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits until <paramref name="count"/> files named <paramref name="name"/> exist below <paramref name="directory"/>.</summary>
    public async Task WaitForFileAsync(string directory, string name, TimeSpan timeout, int count = 1)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Directory.Exists(directory) || Directory.GetFiles(directory, name, SearchOption.AllDirectories).Length < count)
        {
            if (_process.HasExited || DateTime.UtcNow > deadline) throw new TimeoutException($"no {name} appeared; stdout: {Stdout}; stderr: {Stderr}");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Append(System.Text.StringBuilder target, string? line)
    {
        if (line is null) return;
        lock (_gate) target.AppendLine(line);
    }
}
