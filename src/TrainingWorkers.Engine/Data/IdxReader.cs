using System.Buffers.Binary;
using System.IO.Compression;

namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Reads IDX files (the MNIST format: big-endian header, unsigned bytes), gzipped or not. Only the
/// examples asked for are decompressed and converted, so a small train_limit starts fast and small.
/// </summary>
internal static class IdxReader
{
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;

    /// <summary>The first <paramref name="limit"/> images (all when null) as floats in [0, 1], with their shape [1, rows, columns].</summary>
    public static (float[] Pixels, int[] Shape) ReadImages(string path, int? limit = null)
    {
        using var stream = Open(path);
        var header = ReadHeader(stream, path, ImagesMagic, 16);
        var count = Math.Min(header[1], limit ?? int.MaxValue);
        var rows = header[2];
        var columns = header[3];
        var bytes = ReadExactly(stream, path, (long)count * rows * columns);
        var pixels = GC.AllocateUninitializedArray<float>(bytes.Length);
        for (var i = 0; i < pixels.Length; i++) pixels[i] = bytes[i] / 255f;
        return (pixels, [1, rows, columns]);
    }

    /// <summary>The first <paramref name="limit"/> labels (all when null).</summary>
    public static long[] ReadLabels(string path, int? limit = null)
    {
        using var stream = Open(path);
        var count = Math.Min(ReadHeader(stream, path, LabelsMagic, 8)[1], limit ?? int.MaxValue);
        var bytes = ReadExactly(stream, path, count);
        var labels = new long[count];
        for (var i = 0; i < count; i++) labels[i] = bytes[i];
        return labels;
    }

    private static Stream Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>The magic number, then the dimension sizes (header[1] is the count).</summary>
    private static int[] ReadHeader(Stream stream, string path, int magic, int length)
    {
        var header = new byte[length];
        if (stream.ReadAtLeast(header, length, throwOnEndOfStream: false) < length) throw new InvalidDataException($"{path}: too short to be an IDX file");
        var found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found != magic) throw new InvalidDataException($"{path}: not an IDX {(magic == ImagesMagic ? "image" : "label")} file (magic 0x{found:x8}, expected 0x{magic:x8})");
        return Enumerable.Range(0, length / 4).Select(i => BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(i * 4))).ToArray();
    }

    private static byte[] ReadExactly(Stream stream, string path, long length)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)length));
        var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length) throw new InvalidDataException($"{path}: ends after {read} of the {bytes.Length} data bytes its header announces");
        return bytes;
    }
}
