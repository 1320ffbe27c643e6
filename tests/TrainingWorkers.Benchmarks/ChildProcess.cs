using System.Diagnostics;
using System.Globalization;

namespace TrainingWorkers.Benchmarks;

/// <summary>What a finished child process left: its output, wall time and, when measured, its peak RSS.</summary>
/// <param name="StartedUtc">Taken just before the process was started.</param>
/// <param name="PeakRssMiB">The kernel's maximum resident set size (ru_maxrss, via /usr/bin/time), or null.</param>
internal sealed record ChildResult(int ExitCode, string Stdout, string Stderr, double WallSeconds, DateTimeOffset StartedUtc, double? PeakRssMiB);

/// <summary>Runs `tw` and the PyTorch peer as child processes, measuring what the user would see.</summary>
internal static class ChildProcess
{
    private const string TimeTool = "/usr/bin/time";

    /// <summary>Runs a program to the end; with <paramref name="measureRss"/> it runs under /usr/bin/time -f %M.</summary>
    public static async Task<ChildResult> RunAsync(string program, IEnumerable<string> arguments, bool measureRss = false)
    {
        var rssFile = measureRss ? Path.GetTempFileName() : null;
        var start = new ProcessStartInfo(measureRss ? TimeTool : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (rssFile is not null)
        {
            if (!File.Exists(TimeTool)) throw new FileNotFoundException($"{TimeTool} is missing: apt-get install time");
            foreach (var a in new[] { "-f", "%M", "-o", rssFile, program }) start.ArgumentList.Add(a);
        }

        foreach (var a in arguments) start.ArgumentList.Add(a);
        try
        {
            var startedUtc = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().ConfigureAwait(false);
            var wall = clock.Elapsed.TotalSeconds;
            double? rss = rssFile is null ? null : ReadKiB(rssFile) / 1024.0;
            return new ChildResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), wall, startedUtc, rss);
        }
        finally
        {
            if (rssFile is not null) File.Delete(rssFile);
        }
    }

    /// <summary>Throws with the child's own words when it failed.</summary>
    public static ChildResult EnsureSuccess(this ChildResult result, string what) => result.ExitCode == 0
        ? result
        : throw new InvalidOperationException($"{what} exited with {result.ExitCode}:\n{Tail(result.Stderr)}\n{Tail(result.Stdout)}");

    private static double ReadKiB(string path)
    {
        // /usr/bin/time writes "Command exited with non-zero status N" before the value when the child failed.
        var last = File.ReadAllLines(path).LastOrDefault(l => l.Length > 0) ?? "";
        return double.TryParse(last, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib) ? kib : double.NaN;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
