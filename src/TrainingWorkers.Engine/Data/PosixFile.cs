using System.Runtime.InteropServices;

namespace TrainingWorkers.Engine.Data;

/// <summary>What a path names, as <c>statx(2)</c> sees it (following links).</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    Other,
}

/// <summary>
/// The two file-system questions .NET cannot answer: what kind of file a path is (a FIFO or a device is
/// not one to open: opening a FIFO blocks, reading /dev/zero never ends) and where a path really leads
/// once every symbolic link in it is resolved.
/// </summary>
internal static partial class PosixFile
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x0001;
    private const ushort TypeMask = 0xF000;
    private const ushort TypeRegular = 0x8000;
    private const ushort TypeDirectory = 0x4000;

    /// <summary>The kind of file <paramref name="path"/> names, without opening it.</summary>
    public static unsafe FileKind KindOf(string path)
    {
        // struct statx is the same on every architecture: stx_mode is the u16 at offset 28 of 256 bytes.
        var buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return FileKind.Missing;
        var mode = *(ushort*)(buffer + 28);
        return (mode & TypeMask) switch
        {
            TypeRegular => FileKind.Regular,
            TypeDirectory => FileKind.Directory,
            _ => FileKind.Other,
        };
    }

    /// <summary>The absolute path with every link resolved, or null when some part of it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var resolved = RealPathNative(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPathNative(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
