using System.Buffers.Binary;
using System.IO.Compression;

namespace TrainingWorkers.Engine.Data;

/// <summary>Reads IDX files (the MNIST format: big-endian header, unsigned bytes), gzipped or not.</summary>
internal static class IdxReader
{
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;

    /// <summary>Images as floats in [0, 1], with their shape [1, rows, columns].</summary>
    public static (float[] Pixels, int[] Shape) ReadImages(string path)
    {
        var bytes = ReadAll(path);
        var header = Header(bytes, path, ImagesMagic, 16);
        var count = header[0];
        var rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        var columns = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        var expected = 16L + (long)count * rows * columns;
        if (bytes.LongLength != expected) throw new InvalidDataException($"{path}: expected {expected} bytes for {count} images of {rows}x{columns}, found {bytes.LongLength}");
        var pixels = new float[count * rows * columns];
        var source = bytes.AsSpan(16);
        for (var i = 0; i < pixels.Length; i++) pixels[i] = source[i] / 255f;
        return (pixels, [1, rows, columns]);
    }

    public static long[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        var count = Header(bytes, path, LabelsMagic, 8)[0];
        if (bytes.LongLength != 8L + count) throw new InvalidDataException($"{path}: expected {8L + count} bytes for {count} labels, found {bytes.LongLength}");
        var labels = new long[count];
        for (var i = 0; i < count; i++) labels[i] = bytes[8 + i];
        return labels;
    }

    private static int[] Header(byte[] bytes, string path, int magic, int headerLength)
    {
        if (bytes.Length < headerLength) throw new InvalidDataException($"{path}: too short to be an IDX file");
        var found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic) throw new InvalidDataException($"{path}: not an IDX {(magic == ImagesMagic ? "image" : "label")} file (magic 0x{found:x8}, expected 0x{magic:x8})");
        return [BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4))];
    }

    private static byte[] ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        using var memory = new MemoryStream();
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            gzip.CopyTo(memory);
        }
        else
        {
            file.CopyTo(memory);
        }

        return memory.ToArray();
    }
}
