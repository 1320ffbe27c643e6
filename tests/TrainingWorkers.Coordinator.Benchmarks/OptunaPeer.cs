using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrainingWorkers.Coordinator.Benchmarks;

/// <summary>Optuna 3.1 (Debian's python3-optuna, run by Debian's own python3) over the same request: optuna_peer.py.</summary>
internal static class OptunaPeer
{
    public const string Python = "/usr/bin/python3";

    public static async Task<TunerRun> RunAsync(string tuner, JsonObject request, string pruner, string tw, string workdir, ulong seed)
    {
        var directory = Path.Combine(workdir, $"{tuner}-{seed}");
        Directory.CreateDirectory(directory);
        var requestFile = Path.Combine(directory, "request.json");
        await File.WriteAllTextAsync(requestFile, request.ToJsonString());
        // The peer starts `tw` directly: a wrapper script that runs tw.dll with dotnet, as LocalSweep does.
        var twScript = Path.Combine(directory, "tw.sh");
        await File.WriteAllTextAsync(twScript, $"#!/bin/sh\nexec dotnet '{tw}' \"$@\"\n");
        File.SetUnixFileMode(twScript, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "optuna_peer.py"), requestFile, twScript, directory, seed.ToString(System.Globalization.CultureInfo.InvariantCulture), pruner })
        {
            info.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"optuna_peer.py exited {process.ExitCode}: {await stderr}");
        var points = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonSerializer.Deserialize<JsonObject>(line)!)
            .Select(o => new TrialPoint(o["number"]!.GetValue<int>(), o["state"]!.GetValue<string>(), o["value"]?.GetValue<double>(), o["cpu_seconds"]!.GetValue<double>()))
            .ToList();
        return new TunerRun(tuner, seed, points, clock.Elapsed.TotalSeconds);
    }
}
