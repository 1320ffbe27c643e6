namespace TrainingWorkers.Cli.Tests.Distributed;

/// <summary>Finds the processes a test started, by a token in their command line (the test's own directory).</summary>
internal static class RankProcesses
{
    /// <summary>Live processes whose command line contains <paramref name="token"/>, with their environment.</summary>
    public static List<(int Pid, string Environment)> Find(string token)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (!cmdline.Contains(token, StringComparison.Ordinal)) continue;
                // A zombie has an empty command line; one that is still listed here is alive.
                found.Add((pid, File.ReadAllText(Path.Combine(dir, "environ"))));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // It exited while we looked.
            }
        }

        return found;
    }

    /// <summary>The pid of the live rank process <paramref name="rank"/> started under <paramref name="token"/>.</summary>
    public static int? RankPid(string token, int rank) =>
        Find(token).Where(p => p.Environment.Contains("\0RANK=" + rank + "\0", StringComparison.Ordinal) || p.Environment.StartsWith("RANK=" + rank + "\0", StringComparison.Ordinal))
            .Select(p => (int?)p.Pid).FirstOrDefault();

    public static bool IsAlive(int pid)
    {
        try
        {
            var status = File.ReadAllText($"/proc/{pid}/status");
            return !status.Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits (bounded) until no process of the token is left, and says whether none is.</summary>
    public static async Task<bool> NoneLeftAsync(string token, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Find(token).Count > 0)
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(100);
        }

        return true;
    }
}
