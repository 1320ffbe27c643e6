using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace TrainingWorkers.Aws.S3;

/// <summary>
/// CRC-32C (Castagnoli), the checksum our uploads declare to S3 (<c>x-amz-checksum-crc32c</c>). It has a CPU
/// instruction on x64 (SSE4.2) and ARM64, so it costs far less per byte than the SDK's own table-driven CRC-32 or
/// the SHA-256 the signer already computes; a table is the fallback on anything else.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reflected Castagnoli polynomial
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>
    /// The CRC-32C of what is left in <paramref name="stream"/>, which is then put back where it was (the SDK sends
    /// it next). A seekable stream over memory is read in place.
    /// </summary>
    public static uint Compute(Stream stream)
    {
        var start = stream.Position;
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var segment))
        {
            return Compute(segment.AsSpan((int)start));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var crc = ~0u;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) crc = Update(crc, buffer.AsSpan(0, read));
            stream.Position = start;
            return ~crc;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The value as S3 takes it in <c>x-amz-checksum-crc32c</c>: the four big-endian bytes in base64.</summary>
    public static string ToBase64(uint crc)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, crc);
        return Convert.ToBase64String(bytes);
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            foreach (var word in MemoryMarshal.Cast<byte, ulong>(data)) wide = Sse42.X64.Crc32(wide, word);
            crc = (uint)wide;
            data = data[(data.Length & ~7)..];
        }
        else if (Crc32.Arm64.IsSupported)
        {
            foreach (var word in MemoryMarshal.Cast<byte, ulong>(data)) crc = Crc32.Arm64.ComputeCrc32C(crc, word);
            data = data[(data.Length & ~7)..];
        }

        foreach (var b in data) crc = Table[(byte)(crc ^ b)] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }

        return table;
    }
}
