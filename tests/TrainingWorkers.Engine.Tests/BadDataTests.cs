using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;

namespace TrainingWorkers.Engine.Tests;

/// <summary>The classes of bad data an outside tester found (issue 11): each is a JobInputException naming the field and file.</summary>
public sealed class BadDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-baddata-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteIdx(string name, int magic, int[] dims, byte[] data, bool gzip = true)
    {
        var path = Path.Combine(_dir, gzip ? name + ".gz" : name);
        var header = new byte[4 + dims.Length * 4];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + i * 4), dims[i]);
        using var file = File.Create(path);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        output.Write(header);
        output.Write(data);
        return path;
    }

    private void WriteIdxSet(string prefix, int count, int side, byte label = 1)
    {
        WriteIdx($"{prefix}-images-idx3-ubyte", 0x803, [count, side, side], new byte[count * side * side]);
        WriteIdx($"{prefix}-labels-idx1-ubyte", 0x801, [count], Enumerable.Range(0, count).Select(i => (byte)(i == count - 1 ? label : i % 2)).ToArray());
    }

    private string Csv(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static JobInputException Refused(DataSpec spec, DataLocationPolicy? policy = null) =>
        Assert.Throws<JobInputException>(() => DatasetLoader.Load(spec, 1, policy ?? DataLocationPolicy.Unrestricted));

    [Theory]
    [InlineData(5, 100_000, 100_000, "each side must be between 1 and 16384")]
    [InlineData(5, 0, 28, "each side must be between 1 and 16384")]
    [InlineData(0, 28, 28, "it must be at least 1")]
    [InlineData(int.MaxValue, 16384, 16384, "more than one in-memory data set holds")]
    public void Idx_HeaderWithHugeOrZeroSizes_IsRefusedNamingTheFile(int count, int rows, int columns, string rule)
    {
        var path = WriteIdx("train-images-idx3-ubyte", 0x803, [count, rows, columns], new byte[16]);
        var e = Assert.Throws<JobInputException>(() => IdxReader.ReadImages(path, "data.train", DataLocationPolicy.Unrestricted));
        Assert.Equal("data.train", e.Field);
        Assert.Equal(path, e.File);
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Idx_HeaderClaimingMillionsOfExamples_FailsOnTheBytesThatArriveWithoutAllocatingTheClaim()
    {
        var path = WriteIdx("train-labels-idx1-ubyte", 0x801, [int.MaxValue - 64], new byte[100]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<JobInputException>(() => IdxReader.ReadLabels(path, "data.train", DataLocationPolicy.Unrestricted));
        Assert.Contains("ends after 100 of the 2147483583 data bytes", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "read more than the file holds");
    }

    [Fact]
    public void Idx_CorruptGzip_NamesTheFieldAndTheFile()
    {
        WriteIdxSet("t10k", 4, 4);
        WriteIdx("train-labels-idx1-ubyte", 0x801, [4], [0, 1, 0, 1]);
        var images = Path.Combine(_dir, "train-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, [0x1f, 0x8b, 0x09, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
        var e = Refused(new DataSpec { Train = _dir });
        Assert.Equal("data.train", e.Field);
        Assert.Equal(images, e.File);
        Assert.Contains("is not a valid gzip file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Idx_TestImagesOfAnotherSize_AreAnErrorNotEvaluated()
    {
        WriteIdxSet("train", 6, 4);
        WriteIdxSet("t10k", 6, 5);
        var e = Refused(new DataSpec { Train = _dir, ValidationSplit = 0 });
        Assert.Contains("the t10k test images are 5 x 5, the training images 4 x 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Idx_LabelOutsideTheClasses_NamesTheLabelFileAndExample()
    {
        WriteIdxSet("train", 6, 4, label: 200);
        WriteIdxSet("t10k", 6, 4);
        var e = Refused(new DataSpec { Train = _dir, ValidationSplit = 0 });
        Assert.Equal(Path.Combine(_dir, "train-labels-idx1-ubyte.gz"), e.File);
        Assert.Contains("example 6 has label 200, outside the 10 classes 0..9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_MissingFile_NamesTheField()
    {
        var e = Refused(new DataSpec { Format = DataFormat.Csv, Train = Path.Combine(_dir, "none.csv") });
        Assert.Equal($"data.train: {Path.Combine(_dir, "none.csv")}: no such file", e.Message);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/tmp")]
    public void Csv_DeviceOrDirectory_IsRefusedBeforeItIsRead(string path)
    {
        var e = Refused(new DataSpec { Format = DataFormat.Csv, Train = path });
        Assert.Equal("data.train", e.Field);
        Assert.Matches("is a directory, not a file|is not a regular file", e.Message);
    }

    [Fact]
    public void Csv_Fifo_IsRefusedWithoutBlocking()
    {
        var fifo = Path.Combine(_dir, "pipe.csv");
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        var clock = Stopwatch.StartNew();
        var e = Refused(new DataSpec { Format = DataFormat.Csv, Train = fifo });
        Assert.Contains("is not a regular file", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Csv_OneEndlessLine_IsRefusedAtTheLineBound()
    {
        var path = Path.Combine(_dir, "long.csv");
        File.WriteAllText(path, "a,label\n" + new string('1', BoundedLineReader.MaxLineLength + 10));
        var e = Refused(new DataSpec { Format = DataFormat.Csv, Train = path });
        Assert.Equal($"{path}:2", e.File);
        Assert.Contains("line 2 is longer than 1048576 characters", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a,label,label\n1,x,y\n", "the header names two columns 'label'")]
    [InlineData("a,,label\n1,2,x\n", "column 2 of the header has no name")]
    public void Csv_DuplicateOrEmptyHeaderNames_AreRefused(string text, string rule)
    {
        var path = Csv("t.csv", text);
        var e = Refused(new DataSpec { Format = DataFormat.Csv, Train = path });
        Assert.Equal($"data.train: {path}:1: {rule}", e.Message);
    }

    [Fact]
    public void Csv_ValidationLabelAbsentFromTraining_NamesTheFileAndLine()
    {
        var train = Csv("train.csv", "a,label\n1,x\n2,y\n");
        var validation = Csv("val.csv", "a,label\n1,x\n\n3,z\n");
        var e = Refused(new DataSpec { Format = DataFormat.Csv, Train = train, Validation = validation, ValidationSplit = 0 });
        Assert.Equal("data.validation", e.Field);
        Assert.Equal($"{validation}:4", e.File);
        Assert.Contains("the label 'z' does not occur in the training data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_OneClass_IsBadInputNotALibtorchError()
    {
        var train = Csv("train.csv", "a,label\n1,x\n2,x\n3,x\n");
        var e = Refused(new DataSpec { Format = DataFormat.Csv, Train = train, ValidationSplit = 0 });
        Assert.Contains("classification needs at least 2 classes; the training data has 1 ('x')", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_TestFileWithOtherColumns_NamesTheTestField()
    {
        var train = Csv("train.csv", "a,b,label\n1,2,x\n2,3,y\n");
        var test = Csv("test.csv", "b,a,label\n1,2,x\n");
        var e = Refused(new DataSpec { Format = DataFormat.Csv, Train = train, Test = test, ValidationSplit = 0 });
        Assert.Equal("data.test", e.Field);
        Assert.Contains("must have the same columns", e.Message, StringComparison.Ordinal);
    }
}
