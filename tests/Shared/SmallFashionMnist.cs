using System.Buffers.Binary;
using System.IO.Compression;

namespace TrainingWorkers.Testing;

/// <summary>The first N examples of Debian's Fashion-MNIST, written as proper gzipped IDX files (headers say N).</summary>
public static class SmallFashionMnist
{
    private const string Debian = "/usr/share/datasets/fashion-mnist";

    public static string Create(string directory, int train, int test)
    {
        Directory.CreateDirectory(directory);
        foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
        {
            Copy($"{prefix}-images-idx3-ubyte.gz", count, headerInts: 4, itemBytes: 28 * 28, directory);
            Copy($"{prefix}-labels-idx1-ubyte.gz", count, headerInts: 2, itemBytes: 1, directory);
        }

        return directory;
    }

    private static void Copy(string name, int count, int headerInts, int itemBytes, string directory)
    {
        using var input = new GZipStream(File.OpenRead(Path.Combine(Debian, name)), CompressionMode.Decompress);
        var header = new byte[headerInts * 4];
        input.ReadExactly(header);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        var body = new byte[count * itemBytes];
        input.ReadExactly(body);
        using var output = new GZipStream(File.Create(Path.Combine(directory, name)), CompressionLevel.Fastest);
        output.Write(header);
        output.Write(body);
    }
}
