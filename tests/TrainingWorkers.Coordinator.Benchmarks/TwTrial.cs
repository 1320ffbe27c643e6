using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrainingWorkers.Coordinator.Benchmarks;

/// <summary>One trial as a `tw run` child: started from a spec, its metrics.jsonl followed epoch by epoch (flushed after each), killed when stopped.</summary>
internal sealed class TwTrial : IDisposable
{
    private readonly Process _process;
    private readonly string _metrics;
    private long _offset;

    private TwTrial(Process process, string metrics)
    {
        _process = process;
        _metrics = metrics;
    }

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static TwTrial Start(string tw, JsonObject spec, string directory)
    {
        Directory.CreateDirectory(directory);
        var specFile = Path.Combine(directory, "spec.json");
        File.WriteAllText(specFile, spec.ToJsonString());
        var run = Path.Combine(directory, "run");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { tw, "run", specFile, "--run-dir", run, "--output", "json" }) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new TwTrial(process, Path.Combine(run, "metrics.jsonl"));
    }

    /// <summary>The values of <paramref name="metric"/> for the epochs written since the last call.</summary>
    public IEnumerable<(int Epoch, double Value)> NewValues(string metric)
    {
        if (!File.Exists(_metrics)) yield break;
        using var file = new FileStream(_metrics, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Position = _offset;
        using var reader = new StreamReader(file);
        var text = reader.ReadToEnd();
        var complete = text.LastIndexOf('\n') + 1;
        _offset += System.Text.Encoding.UTF8.GetByteCount(text.AsSpan(0, complete));
        foreach (var line in text[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var point = JsonDocument.Parse(line);
            var root = point.RootElement;
            if (root.GetProperty("name").GetString() == metric && root.GetProperty("value").ValueKind == JsonValueKind.Number)
            {
                yield return (root.GetProperty("epoch").GetInt32(), root.GetProperty("value").GetDouble());
            }
        }
    }

    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
