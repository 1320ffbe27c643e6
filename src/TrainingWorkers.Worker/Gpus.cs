namespace TrainingWorkers.Worker;

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
