using System.Buffers.Binary;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;

namespace TrainingWorkers.Engine.Tests;

public sealed class DataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteIdx(string name, int magic, int[] dims, int dataBytes)
    {
        var path = Path.Combine(_dir, name);
        var bytes = new byte[4 + dims.Length * 4 + dataBytes];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + i * 4), dims[i]);
        for (var i = 4 + dims.Length * 4; i < bytes.Length; i++) bytes[i] = (byte)i;
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadImages_Limit_ReadsOnlyThoseExamples()
    {
        var path = WriteIdx("images", 0x803, [5, 2, 2], 5 * 4);
        var (pixels, shape) = IdxReader.ReadImages(path, "data.train", DataLocationPolicy.Unrestricted, limit: 3);
        Assert.Equal([1, 2, 2], shape);
        Assert.Equal(12, pixels.Length);
        Assert.Equal(16 / 255f, pixels[0]);
    }

    [Fact]
    public void ReadImages_Truncated_SaysHowMuchIsMissing()
    {
        var path = WriteIdx("images", 0x803, [5, 2, 2], 3 * 4);
        var e = Assert.Throws<JobInputException>(() => IdxReader.ReadImages(path, "data.train", DataLocationPolicy.Unrestricted));
        Assert.EndsWith("ends after 12 of the 20 data bytes its header announces", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLabels_ImageFile_IsRefusedByItsMagicNumber()
    {
        var path = WriteIdx("images", 0x803, [5, 2, 2], 20);
        var e = Assert.Throws<JobInputException>(() => IdxReader.ReadLabels(path, "data.train", DataLocationPolicy.Unrestricted));
        Assert.Contains("not an IDX label file (magic 0x00000803, expected 0x00000801)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCsv_BadCell_NamesFileLineAndColumn()
    {
        var csv = Path.Combine(_dir, "t.csv");
        File.WriteAllText(csv, "a,b,label\n1,2,x\n3,oops,y\n");
        var spec = new DataSpec { Format = DataFormat.Csv, Train = csv };
        var e = Assert.Throws<JobInputException>(() => DatasetLoader.Load(spec, 1));
        Assert.Equal($"data.train: {csv}:3: column 'b' is not a number: 'oops'", e.Message);
        Assert.Equal($"{csv}:3", e.File);
    }

    [Fact]
    public void LoadCsv_TextLabels_BecomeClassesInOrdinalOrderAndFeaturesAreStandardized()
    {
        var csv = Path.Combine(_dir, "t.csv");
        File.WriteAllText(csv, "a,label\n1,dog\n2,cat\n3,dog\n4,cat\n");
        var data = DatasetLoader.Load(new DataSpec { Format = DataFormat.Csv, Train = csv, ValidationSplit = 0 }, 1);
        Assert.Equal(["cat", "dog"], data.ClassNames);
        Assert.Equal([1L, 0, 1, 0], data.Train.Labels!);
        Assert.Equal(0, data.Train.Features.Average(), 6);
    }

    [Fact]
    public void Load_FashionMnistClassesSubset_RelabelsInTheGivenOrder()
    {
        var data = DatasetLoader.Load(new DataSpec { Train = DataSpec.FashionMnistAlias, TrainLimit = 500, ValidationSplit = 0, UseTestSet = false, Classes = [9, 0] }, 1);
        Assert.Equal(["Ankle boot", "T-shirt/top"], data.ClassNames);
        Assert.All(data.Train.Labels!, l => Assert.InRange(l, 0, 1));
        Assert.Equal(2, data.Outputs);
    }
}
