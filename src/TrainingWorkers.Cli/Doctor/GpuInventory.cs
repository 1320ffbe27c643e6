using System.Diagnostics;
using System.Globalization;

namespace TrainingWorkers.Cli.Doctor;

/// <summary>One GPU as the NVIDIA driver shows it (nvidia-smi), independent of libtorch.</summary>
internal sealed record DriverGpu(int Index, string Name, long MemoryTotalMiB, long MemoryUsedMiB);

/// <summary>
/// The GPUs the NVIDIA driver shows: nvidia-smi's list (names, memory, driver version), else the count of
/// /proc/driver/nvidia/gpus. Compared with what libtorch sees, it tells a CPU-only libtorch or a broken CUDA
/// set-up from a machine that has no GPU.
/// </summary>
internal sealed record GpuInventory(IReadOnlyList<DriverGpu> Gpus, string? DriverVersion, string Source)
{
    private const string DriverDirectory = "/proc/driver/nvidia/gpus";

    public static async Task<GpuInventory> ReadAsync(CancellationToken cancellationToken)
    {
        var smi = await QueryAsync(cancellationToken).ConfigureAwait(false);
        if (smi is not null) return smi;
        var count = Directory.Exists(DriverDirectory) ? Directory.GetDirectories(DriverDirectory).Length : 0;
        return new GpuInventory(Enumerable.Range(0, count).Select(i => new DriverGpu(i, "?", 0, 0)).ToList(), null,
            count > 0 ? DriverDirectory + " (nvidia-smi did not answer)" : "no NVIDIA driver");
    }

    private static async Task<GpuInventory?> QueryAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("nvidia-smi") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--query-gpu=index,name,memory.total,memory.used,driver_version", "--format=csv,noheader,nounits" }) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info);
            if (process is null) return null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return process.ExitCode == 0 ? Parse(output) : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>nvidia-smi's CSV: "index, name, memory.total, memory.used, driver_version" per line (MiB).</summary>
    internal static GpuInventory? Parse(string csv)
    {
        var gpus = new List<DriverGpu>();
        string? driver = null;
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length < 5 || !int.TryParse(f[0], CultureInfo.InvariantCulture, out var index)) return null;
            // A name with a comma in it spans several fields: the numbers are the last three.
            var name = string.Join(", ", f[1..^3]);
            gpus.Add(new DriverGpu(index, name, MiB(f[^3]), MiB(f[^2])));
            driver = f[^1];
        }

        return new GpuInventory(gpus, driver, "nvidia-smi");
    }

    private static long MiB(string field) => long.TryParse(field, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
