using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Core.Tests.Checkpoints;

public sealed class DirectoryCheckpointStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tw-store-").FullName;
    private readonly DirectoryCheckpointStore _store;

    public DirectoryCheckpointStoreTests() => _store = new DirectoryCheckpointStore(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<Checkpoint> WriteAsync(int epoch, long step, byte fill = 1)
    {
        var checkpoint = Checkpoint.Create("job", epoch, step, new Dictionary<string, byte[]>
        {
            ["model.pt"] = Enumerable.Repeat(fill, 1000).ToArray(),
            ["trainer.json"] = "{}"u8.ToArray(),
        });
        await _store.WriteAsync(checkpoint, CancellationToken.None);
        return checkpoint;
    }

    private string FileOf(Checkpoint c, string name) => Path.Combine(_dir, c.Manifest.Id, name);

    [Fact]
    public async Task WriteThenRead_RoundTripsEveryByte()
    {
        var written = await WriteAsync(1, 10);
        var read = await _store.ReadAsync(written.Manifest.Id, CancellationToken.None);
        Assert.Equal(written.Files["model.pt"], read.Files["model.pt"]);
        Assert.Equal(written.Manifest.Files, read.Manifest.Files);
    }

    [Fact]
    public async Task List_CheckpointWithoutManifest_IsNotListed()
    {
        await WriteAsync(1, 10);
        var torn = await WriteAsync(2, 20);
        File.Delete(FileOf(torn, DirectoryCheckpointStore.ManifestName));
        Assert.Equal(["e0001-s000000010"], (await _store.ListAsync(CancellationToken.None)).Select(m => m.Id));
    }

    [Fact]
    public async Task List_TruncatedPayload_IsNotListed()
    {
        await WriteAsync(1, 10);
        var torn = await WriteAsync(2, 20);
        await File.WriteAllBytesAsync(FileOf(torn, "model.pt"), new byte[10]);
        Assert.Single(await _store.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Read_WrongChecksum_ThrowsNamingTheFile()
    {
        var c = await WriteAsync(1, 10);
        await File.WriteAllBytesAsync(FileOf(c, "model.pt"), Enumerable.Repeat((byte)7, 1000).ToArray()); // same length, other bytes
        var e = await Assert.ThrowsAsync<CorruptCheckpointException>(() => _store.ReadAsync(c.Manifest.Id, CancellationToken.None));
        Assert.Equal("payload file 'model.pt' does not match its checksum", e.Reason);
    }

    [Fact]
    public async Task Read_NewerFormatVersion_IsRefused()
    {
        var c = await WriteAsync(1, 10);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(FileOf(c, DirectoryCheckpointStore.ManifestName)))!;
        manifest["format_version"] = CheckpointManifest.CurrentFormatVersion + 1;
        await File.WriteAllTextAsync(FileOf(c, DirectoryCheckpointStore.ManifestName), manifest.ToJsonString());
        var e = await Assert.ThrowsAsync<CorruptCheckpointException>(() => _store.ReadAsync(c.Manifest.Id, CancellationToken.None));
        Assert.StartsWith("format version 2 is not supported", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadNewestGood_CorruptNewest_FallsBackToThePreviousAndReportsIt()
    {
        var good = await WriteAsync(1, 10, fill: 1);
        var bad = await WriteAsync(2, 20, fill: 2);
        await File.WriteAllBytesAsync(FileOf(bad, "model.pt"), Enumerable.Repeat((byte)9, 1000).ToArray());
        var skipped = new List<string>();

        var newest = await _store.ReadNewestGoodAsync(e => skipped.Add(e.CheckpointId), CancellationToken.None);

        Assert.Equal(good.Manifest.Id, newest!.Manifest.Id);
        Assert.Equal([bad.Manifest.Id], skipped);
        Assert.True(Directory.Exists(Path.Combine(_dir, bad.Manifest.Id)), "a corrupt checkpoint is kept for inspection, not deleted");
    }

    [Fact]
    public async Task Delete_RemovesTheCheckpointFromTheListing()
    {
        var c = await WriteAsync(1, 10);
        await _store.DeleteAsync(c.Manifest.Id, CancellationToken.None);
        Assert.Empty(await _store.ListAsync(CancellationToken.None));
        Assert.Null(await _store.ReadNewestGoodAsync(_ => { }, CancellationToken.None));
    }

    [Fact]
    public void Manifest_Serialized_UsesSnakeCaseFields()
    {
        var json = JsonSerializer.Serialize(Checkpoint.Create("job", 1, 5, new Dictionary<string, byte[]> { ["a"] = [1] }).Manifest);
        Assert.Contains("\"format_version\":1", json, StringComparison.Ordinal);
        Assert.Contains("\"sha256\":\"4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_MetricsThatAreNotNumbers_AreLeftOutAndTheCheckpointReadsBack()
    {
        // A validation set with one class present has no AUC: NaN. JSON has no literal for it.
        var metrics = new Dictionary<string, double> { ["val_auc"] = double.NaN, ["val_loss"] = double.PositiveInfinity, ["train_loss"] = 0.5 };
        var store = new DirectoryCheckpointStore(_dir);
        await store.WriteAsync(Checkpoint.Create("job", 1, 5, new Dictionary<string, byte[]> { ["a"] = [1] }, metrics), CancellationToken.None);

        var back = await store.ReadNewestGoodAsync(_ => { }, CancellationToken.None);

        Assert.Equal(new Dictionary<string, double> { ["train_loss"] = 0.5 }, back!.Manifest.Metrics);
    }
}
