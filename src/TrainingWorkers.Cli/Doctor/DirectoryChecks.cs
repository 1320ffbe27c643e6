using System.Text.Json.Nodes;

namespace TrainingWorkers.Cli.Doctor;

/// <summary>
/// The worker's directories, each created if missing, written, read back and removed: a job's spec, run
/// directory and local checkpoints live in the work directory; datasets fetched from S3 in the cache.
/// </summary>
internal static class DirectoryChecks
{
    public static IReadOnlyList<DoctorCheck> Run(DoctorSettings settings) =>
    [
        Writable("work directory", settings.WorkDirectory, "Worker:WorkDirectory"),
        Writable("data cache", settings.Aws.S3.CacheDirectory, "Aws:S3:CacheDirectory"),
    ];

    internal static DoctorCheck Writable(string name, string directory, string setting)
    {
        var details = new JsonObject { ["path"] = directory, ["setting"] = setting };
        var probe = Path.Combine(directory, $".tw-doctor-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(probe, "tw doctor");
            var readBack = File.ReadAllText(probe);
            File.Delete(probe);
            if (readBack != "tw doctor") return DoctorCheck.Fail(name, $"{directory} ({setting}): a file written there read back different", details);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DoctorCheck.Fail(name, $"{directory} ({setting}) is not writable: {e.Message}", details);
        }

        var free = new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        details["free_bytes"] = free;
        return DoctorCheck.Ok(name, $"{directory} writable, {free / (1L << 30)} GiB free", details);
    }
}
