namespace TrainingWorkers.Worker;

/// <summary>How the worker starts a rank: <c>tw run spec --run-dir dir</c>, from <c>tw</c> or <c>dotnet tw.dll</c>.</summary>
internal sealed record RankProgram(string Executable, IReadOnlyList<string> Prefix)
{
    /// <summary>The configured <c>tw</c>, else the one beside this program, else <c>tw</c> on PATH.</summary>
    public static RankProgram Find(string? configured)
    {
        var candidates = configured is { Length: > 0 } ? [configured]
            : new[] { Path.Combine(AppContext.BaseDirectory, "tw"), Path.Combine(AppContext.BaseDirectory, "tw.dll") }
                .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "tw")));
        var found = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("Worker:TwExecutable: no tw found beside the worker or on PATH; set it to the tw program (or tw.dll)");
        return found.EndsWith(".dll", StringComparison.Ordinal) ? new RankProgram("dotnet", [Path.GetFullPath(found)]) : new RankProgram(Path.GetFullPath(found), []);
    }

    public IReadOnlyList<string> Arguments(string specFile, string runDirectory, bool resume)
    {
        var args = new List<string>(Prefix) { "run", specFile, "--run-dir", runDirectory };
        if (resume) args.Add("--resume");
        return args;
    }
}

/// <summary>The GPUs this machine shows (the NVIDIA driver's list, narrowed by CUDA_VISIBLE_DEVICES), without loading libtorch.</summary>
internal static class Gpus
{
    public static IReadOnlyList<string> Visible()
    {
        const string driver = "/proc/driver/nvidia/gpus";
        var count = Directory.Exists(driver) ? Directory.GetDirectories(driver).Length : 0;
        if (Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { } visible)
        {
            return visible.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(d => d != "-1").Take(count).ToList();
        }

        return Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }
}

/// <summary>One of the worker's job slots: its index (which picks the TCPStore port) and its share of the GPUs.</summary>
internal sealed record JobSlot(int Index, IReadOnlyList<string> Gpus, int Processes);

/// <summary>GPU memory in use, read with nvidia-smi (as the CloudWatch agent does): no libtorch in the worker.</summary>
internal static class GpuMemory
{
    /// <summary>Bytes in use on the given GPUs, or null when nvidia-smi is missing or fails.</summary>
    public static async Task<double?> UsedBytesAsync(IReadOnlyList<string> gpus, CancellationToken cancellationToken)
    {
        if (gpus.Count == 0) return null;
        var info = new System.Diagnostics.ProcessStartInfo("nvidia-smi") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--query-gpu=index,memory.used", "--format=csv,noheader,nounits", "--id=" + string.Join(',', gpus) }) info.ArgumentList.Add(a);
        try
        {
            using var smi = System.Diagnostics.Process.Start(info);
            if (smi is null) return null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var output = await smi.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await smi.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (smi.ExitCode != 0) return null;
            // One "index, MiB" line per GPU.
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Sum(line => double.Parse(line.Split(',')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)) * 1024 * 1024;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
