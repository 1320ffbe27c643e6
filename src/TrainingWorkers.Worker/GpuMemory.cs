namespace TrainingWorkers.Worker;

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
