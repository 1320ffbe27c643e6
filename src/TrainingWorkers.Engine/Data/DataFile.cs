using System.IO.Compression;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Opens a job's data file or directory for the spec field that names it: allowed by the
/// <see cref="DataLocationPolicy"/>, present, and of the right kind (a regular file, never a FIFO, a device
/// or a directory), checked before it is opened. Every refusal is a <see cref="JobInputException"/>.
/// </summary>
internal static class DataFile
{
    /// <summary>Opens a regular file (decompressing it when its name ends in .gz).</summary>
    public static Stream OpenRead(string path, string field, DataLocationPolicy policy)
    {
        RequireFile(path, field, policy);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>Throws unless <paramref name="path"/> is an allowed, existing, regular file.</summary>
    public static void RequireFile(string path, string field, DataLocationPolicy policy)
    {
        policy.Check(path, field);
        switch (PosixFile.KindOf(path))
        {
            case FileKind.Regular: return;
            case FileKind.Missing: throw new JobInputException(field, "no such file", path);
            case FileKind.Directory: throw new JobInputException(field, "is a directory, not a file", path);
            default: throw new JobInputException(field, "is not a regular file (a device, FIFO or socket cannot be read as data)", path);
        }
    }

    /// <summary>Throws unless <paramref name="path"/> is an allowed, existing directory.</summary>
    public static void RequireDirectory(string path, string field, DataLocationPolicy policy, string? hint = null)
    {
        policy.Check(path, field);
        switch (PosixFile.KindOf(path))
        {
            case FileKind.Directory: return;
            case FileKind.Missing: throw new JobInputException(field, "no such directory" + hint, path);
            default: throw new JobInputException(field, "is not a directory" + hint, path);
        }
    }

    /// <summary>
    /// Runs a read of <paramref name="path"/>, turning what a damaged file throws from deep inside .NET (a corrupt
    /// gzip stream: "unsupported compression method") into an error that names the field and the file.
    /// </summary>
    public static T Read<T>(string path, string field, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e) when (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            throw new JobInputException(field, $"is not a valid gzip file ({e.Message})", path, e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new JobInputException(field, $"cannot be read ({e.Message})", path, e);
        }
    }
}
