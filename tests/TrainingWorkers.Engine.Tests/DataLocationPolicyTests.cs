using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;

namespace TrainingWorkers.Engine.Tests;

/// <summary>A worker's jobs read local data only under TW_DATA_ALLOW, and a refusal tells nothing about files outside.</summary>
public sealed class DataLocationPolicyTests : IDisposable
{
    private readonly string _allowed = Directory.CreateTempSubdirectory("tw-allowed-").FullName;

    public void Dispose() => Directory.Delete(_allowed, recursive: true);

    private JobInputException Refused(string train) => Assert.Throws<JobInputException>(() =>
        DatasetLoader.Load(new DataSpec { Format = DataFormat.Csv, Train = train }, 1, DataLocationPolicy.Only([_allowed])));

    [Fact]
    public void Outside_IsRefusedWithTheSameWordsWhetherOrNotTheFileExists()
    {
        var existing = Refused("/etc/passwd");
        var missing = Refused("/etc/no-such-file-here");

        Assert.Equal("data.train", existing.Field);
        Assert.Contains("is outside the local data locations this worker allows", existing.Message, StringComparison.Ordinal);
        Assert.Equal(existing.Message.Replace("/etc/passwd", "X", StringComparison.Ordinal), missing.Message.Replace("/etc/no-such-file-here", "X", StringComparison.Ordinal));
    }

    [Fact]
    public void RelativeEscapeAndLinkOut_AreRefused()
    {
        Refused(Path.Combine(_allowed, "..", "..", "etc", "passwd"));
        var link = Path.Combine(_allowed, "innocent.csv");
        File.CreateSymbolicLink(link, "/etc/passwd");
        var e = Refused(link);
        Assert.Contains("is outside the local data locations", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inside_IsRead()
    {
        var csv = Path.Combine(_allowed, "t.csv");
        File.WriteAllText(csv, "a,label\n1,x\n2,y\n3,x\n4,y\n");
        var data = DatasetLoader.Load(new DataSpec { Format = DataFormat.Csv, Train = csv, ValidationSplit = 0 }, 1, DataLocationPolicy.Only([_allowed]));
        Assert.Equal(4, data.Train.Count);
    }

    [Fact]
    public void FashionMnistAlias_IsAllowedOnAWorker()
    {
        var data = DatasetLoader.Load(new DataSpec { Train = DataSpec.FashionMnistAlias, TrainLimit = 100, TestLimit = 10, ValidationSplit = 0 }, 1, DataLocationPolicy.Only([_allowed]));
        Assert.Equal(100, data.Train.Count);
    }

    [Fact]
    public void HugeName_IsNotEchoedWhole()
    {
        var e = Refused("/" + new string('x', 10_000_000));
        Assert.True(e.Message.Length < 1000, $"{e.Message.Length} characters");
    }
}
