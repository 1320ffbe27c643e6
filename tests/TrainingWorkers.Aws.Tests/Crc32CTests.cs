using System.Text;
using TrainingWorkers.Aws.S3;

namespace TrainingWorkers.Aws.Tests;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Compute_KnownText_MatchesCastagnoliCheckValues(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Compute_Rfc3720Vectors_Match()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void Compute_Stream_SameAsSpanAndRewound()
    {
        var data = new byte[(3 << 20) + 13];
        new Random(7).NextBytes(data);
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, data);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
            file.Position = 5;
            Assert.Equal(Crc32C.Compute(data.AsSpan(5)), Crc32C.Compute(file));
            Assert.Equal(5, file.Position);

            using var memory = new MemoryStream(data, 1, data.Length - 1, writable: false, publiclyVisible: true);
            memory.Position = 2;
            Assert.Equal(Crc32C.Compute(data.AsSpan(3)), Crc32C.Compute(memory));
            Assert.Equal(2, memory.Position);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ToBase64_BigEndianBytes() => Assert.Equal("4waSgw==", Crc32C.ToBase64(0xE3069283u));
}
