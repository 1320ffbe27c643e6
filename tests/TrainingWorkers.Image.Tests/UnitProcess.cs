using System.Diagnostics;

namespace TrainingWorkers.Image.Tests;

/// <summary>
/// Runs a unit's command line as systemd would for it, in a temporary root: the clean environment systemd
/// gives a service, the unit's and its environment file's variables, and stdout and stderr appended to the
/// unit's log file. What differs: the user (these tests are not tw-worker) and the paths, which lie under the root.
/// </summary>
internal sealed class UnitProcess
{
    private const string SystemdPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private readonly string _root;
    private readonly Dictionary<string, string> _environment;
    private readonly string _log;

    public UnitProcess(string root, SystemdUnit unit, IReadOnlyDictionary<string, string> overrides)
    {
        _root = root;
        _environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = SystemdPath, ["LANG"] = "C.UTF-8" };
        foreach (var (key, value) in unit.Environment()) _environment[key] = InRoot(value);
        foreach (var (key, value) in SystemdUnit.ReadEnvironmentFile(InRoot(unit.Required("Service", "EnvironmentFile")))) _environment[key] = value;
        foreach (var (key, value) in overrides) _environment[key] = value;
        _environment["HOME"] = InRoot("/var/lib/" + unit.Required("Service", "StateDirectory"));
        // systemd makes these before the service runs (StateDirectory=, CacheDirectory=).
        Directory.CreateDirectory(_environment["HOME"]);
        Directory.CreateDirectory(InRoot("/var/cache/" + unit.Required("Service", "CacheDirectory")));
        _log = InRoot(unit.Required("Service", "StandardOutput")["append:".Length..]);
    }

    public string Log => File.Exists(_log) ? File.ReadAllText(_log) : "";

    /// <summary>A path of the unit's, where it lies under the temporary root.</summary>
    public string InRoot(string path) =>
        path.StartsWith('/') && !path.StartsWith(_root, StringComparison.Ordinal) ? _root + path : path;

    /// <summary>Starts a command line of the unit (ExecStartPre=, ExecStart=).</summary>
    public Process Start(string commandLine)
    {
        var words = SystemdUnit.Expand(commandLine, _environment);
        // exec: the process is the program itself, as under systemd, so signals reach it.
        var info = new ProcessStartInfo("/bin/bash") { UseShellExecute = false };
        info.Environment.Clear();
        foreach (var (key, value) in _environment) info.Environment[key] = value;
        info.Environment["UNIT_LOG"] = _log;
        foreach (var a in new[] { "-c", "exec \"$0\" \"$@\" >> \"$UNIT_LOG\" 2>&1", InRoot(words[0]) }.Concat(words.Skip(1))) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    /// <summary>Runs a command line of the unit to its end and returns its exit code.</summary>
    public async Task<int> RunAsync(string commandLine, TimeSpan timeout)
    {
        using var process = Start(commandLine);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{commandLine}' did not end within {timeout}; its log:\n{Log}");
        }

        return process.ExitCode;
    }
}
