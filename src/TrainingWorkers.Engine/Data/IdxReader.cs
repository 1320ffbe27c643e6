using System.Buffers.Binary;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Data;

/// <summary>
/// Reads IDX files (the MNIST format: big-endian header, unsigned bytes), gzipped or not. Only the
/// examples asked for are decompressed and converted, so a small train_limit starts fast and small.
/// A header is trusted for nothing: sizes are bounded, and memory grows only with the bytes that arrive.
/// </summary>
internal static class IdxReader
{
    /// <summary>The largest image side accepted (ImageNet-sized images are far smaller).</summary>
    public const int MaxSide = 16384;
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;
    private const int Chunk = 1 << 20;

    /// <summary>The first <paramref name="limit"/> images (all when null) as floats in [0, 1], with their shape [1, rows, columns].</summary>
    public static (float[] Pixels, int[] Shape) ReadImages(string path, string field, DataLocationPolicy policy, int? limit = null) =>
        DataFile.Read(path, field, () =>
        {
            using var stream = DataFile.OpenRead(path, field, policy);
            var header = ReadHeader(stream, path, field, ImagesMagic, 16);
            var (rows, columns) = (header[2], header[3]);
            if (rows is < 1 or > MaxSide || columns is < 1 or > MaxSide)
            {
                throw new JobInputException(field, $"the IDX header says images of {rows} x {columns} pixels; each side must be between 1 and {MaxSide}", path);
            }

            var count = Math.Min(header[1], limit ?? int.MaxValue);
            var imageBytes = (long)rows * columns;
            if (count * imageBytes > Array.MaxLength)
            {
                throw new JobInputException(field, $"{count} images of {rows} x {columns} pixels are more than one in-memory data set holds; use train_limit or a sharded data set", path);
            }

            var bytes = ReadBody(stream, path, field, count * imageBytes);
            var pixels = GC.AllocateUninitializedArray<float>(bytes.Length);
            for (var i = 0; i < pixels.Length; i++) pixels[i] = bytes[i] / 255f;
            return (pixels, new[] { 1, rows, columns });
        });

    /// <summary>The first <paramref name="limit"/> labels (all when null).</summary>
    public static long[] ReadLabels(string path, string field, DataLocationPolicy policy, int? limit = null) =>
        DataFile.Read(path, field, () =>
        {
            using var stream = DataFile.OpenRead(path, field, policy);
            var count = Math.Min(ReadHeader(stream, path, field, LabelsMagic, 8)[1], limit ?? int.MaxValue);
            var bytes = ReadBody(stream, path, field, count);
            var labels = new long[count];
            for (var i = 0; i < count; i++) labels[i] = bytes[i];
            return labels;
        });

    /// <summary>The magic number, then the dimension sizes (header[1] is the count).</summary>
    private static int[] ReadHeader(Stream stream, string path, string field, int magic, int length)
    {
        var header = new byte[length];
        if (stream.ReadAtLeast(header, length, throwOnEndOfStream: false) < length) throw new JobInputException(field, "too short to be an IDX file", path);
        var found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found != magic) throw new JobInputException(field, $"not an IDX {(magic == ImagesMagic ? "image" : "label")} file (magic 0x{found:x8}, expected 0x{magic:x8})", path);
        var dims = Enumerable.Range(0, length / 4).Select(i => BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(i * 4))).ToArray();
        if (dims[1] < 1) throw new JobInputException(field, $"the IDX header says {dims[1]} examples; it must be at least 1", path);
        return dims;
    }

    // Reads chunk by chunk: a header that claims gigabytes costs only the bytes that really follow it.
    private static byte[] ReadBody(Stream stream, string path, string field, long length)
    {
        if (stream is FileStream file && file.Length - file.Position < length)
        {
            throw new JobInputException(field, $"ends after {file.Length - file.Position} of the {length} data bytes its header announces", path);
        }

        var bytes = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, Chunk));
        var read = 0;
        while (read < length)
        {
            if (read == bytes.Length) Array.Resize(ref bytes, (int)Math.Min(length, (long)bytes.Length * 2));
            var n = stream.Read(bytes, read, bytes.Length - read);
            if (n == 0) throw new JobInputException(field, $"ends after {read} of the {length} data bytes its header announces", path);
            read += n;
        }

        return bytes;
    }
}
