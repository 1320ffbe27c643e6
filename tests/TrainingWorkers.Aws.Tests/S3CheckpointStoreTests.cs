using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class S3CheckpointStoreTests
{
    private readonly MotoFixture _moto;

    public S3CheckpointStoreTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task WriteRead_200MegabyteCheckpoint_RoundTripsThroughParallelMultipart()
    {
        var (store, s3, bucket) = await NewStoreAsync();
        var big = new byte[200 << 20];
        new Random(42).NextBytes(big);
        var checkpoint = Checkpoint.Create("job", 1, 100, new Dictionary<string, byte[]>
        {
            ["model.pt"] = big,
            ["optimizer.pt"] = Encoding.UTF8.GetBytes("small"),
        });

        await store.WriteAsync(checkpoint, CancellationToken.None);
        var listed = Assert.Single(await store.ListAsync(CancellationToken.None));
        var read = await store.ReadAsync(listed.Id, CancellationToken.None);

        Assert.True(big.AsSpan().SequenceEqual(read.Files["model.pt"]), "the 200 MB payload came back different");
        Assert.Equal("small", Encoding.UTF8.GetString(read.Files["optimizer.pt"]));
        // A multipart object's ETag ends in -{part count}: 200 MiB in 8 MiB parts is 25 parts.
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest
        {
            BucketName = bucket, Key = $"jobs/job/checkpoints/{listed.Id}/model.pt", ChecksumMode = ChecksumMode.ENABLED,
        });
        Assert.EndsWith("-25\"", head.ETag, StringComparison.Ordinal);
        // The upload declared CRC-32C, so the object carries a (composite, per-part) CRC-32C; undeclared, it would
        // carry none, and the server computes a full-object checksum at completion instead.
        Assert.False(string.IsNullOrEmpty(head.ChecksumCRC32C), "the multipart upload declared no CRC-32C checksum");
    }

    [Fact]
    public async Task Write_SmallAndMultipartFiles_EveryObjectCarriesTheCheckpointTag()
    {
        var (store, s3, bucket) = await NewStoreAsync();
        var checkpoint = Checkpoint.Create("job", 1, 10, new Dictionary<string, byte[]>
        {
            ["model.pt"] = new byte[20 << 20],
            ["optimizer.pt"] = Encoding.UTF8.GetBytes("small"),
        });

        await store.WriteAsync(checkpoint, CancellationToken.None);

        foreach (var name in new[] { "model.pt", "optimizer.pt", "manifest.json" })
        {
            var tags = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = $"jobs/job/checkpoints/{checkpoint.Manifest.Id}/{name}" });
            var tag = Assert.Single(tags.Tagging);
            Assert.Equal((CheckpointTag.Key, CheckpointTag.Value), (tag.Key, tag.Value));
        }
    }

    [Fact]
    public async Task List_ManifestMissing_TornCheckpointNeverNewest()
    {
        var (store, s3, bucket) = await NewStoreAsync();
        await store.WriteAsync(Small(1), CancellationToken.None);
        var torn = Small(2);
        await store.WriteAsync(torn, CancellationToken.None);
        await s3.DeleteObjectAsync(bucket, $"jobs/job/checkpoints/{torn.Manifest.Id}/manifest.json");

        var listed = await store.ListAsync(CancellationToken.None);

        Assert.Equal([Small(1).Manifest.Id], listed.Select(m => m.Id));
        await Assert.ThrowsAsync<CorruptCheckpointException>(() => store.ReadAsync(torn.Manifest.Id, CancellationToken.None));
    }

    [Fact]
    public async Task List_PayloadObjectMissingOrShort_CheckpointNotListedAndReadRefused()
    {
        var (store, s3, bucket) = await NewStoreAsync();
        await store.WriteAsync(Small(1), CancellationToken.None);
        await store.WriteAsync(Small(2), CancellationToken.None);
        await store.WriteAsync(Small(3), CancellationToken.None);
        await s3.DeleteObjectAsync(bucket, $"jobs/job/checkpoints/{Small(2).Manifest.Id}/weights.bin");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"jobs/job/checkpoints/{Small(3).Manifest.Id}/weights.bin", ContentBody = "x" });

        var listed = await store.ListAsync(CancellationToken.None);

        Assert.Equal([Small(1).Manifest.Id], listed.Select(m => m.Id));
        var missing = await Assert.ThrowsAsync<CorruptCheckpointException>(() => store.ReadAsync(Small(2).Manifest.Id, CancellationToken.None));
        Assert.Contains("missing", missing.Reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CorruptCheckpointException>(() => store.ReadAsync(Small(3).Manifest.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Read_PayloadReplacedWithSameLength_ChecksumMismatchRefused()
    {
        var (store, s3, bucket) = await NewStoreAsync();
        var checkpoint = Small(1);
        await store.WriteAsync(checkpoint, CancellationToken.None);
        var tampered = (byte[])checkpoint.Files["weights.bin"].Clone();
        tampered[0] ^= 0xFF;
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = $"jobs/job/checkpoints/{checkpoint.Manifest.Id}/weights.bin", InputStream = new MemoryStream(tampered),
        });

        Assert.Single(await store.ListAsync(CancellationToken.None));
        var e = await Assert.ThrowsAsync<CorruptCheckpointException>(() => store.ReadAsync(checkpoint.Manifest.Id, CancellationToken.None));
        Assert.Contains("checksum", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_KeepLastTwoAndBest_DeletesTheRestManifestFirst()
    {
        var (store, s3, bucket) = await NewStoreAsync();
        var losses = new[] { 0.9, 0.2, 0.5, 0.6, 0.7 };
        for (var i = 0; i < losses.Length; i++)
        {
            await store.WriteAsync(Small(i + 1, new Dictionary<string, double> { ["val_loss"] = losses[i] }), CancellationToken.None);
        }

        var all = await store.ListAsync(CancellationToken.None);
        var best = CheckpointPruning.BestId(all, "val_loss", lowerIsBetter: true);
        var deleted = await CheckpointPruning.PruneAsync(store, keepLast: 2, best, protectedId: null, CancellationToken.None);

        Assert.Equal(Small(2).Manifest.Id, best);
        Assert.Equal([Small(1).Manifest.Id, Small(3).Manifest.Id], deleted);
        Assert.Equal([Small(2).Manifest.Id, Small(4).Manifest.Id, Small(5).Manifest.Id], (await store.ListAsync(CancellationToken.None)).Select(m => m.Id));
        var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = $"jobs/job/checkpoints/{Small(1).Manifest.Id}/" });
        Assert.Empty(left.S3Objects ?? []);
    }

    [Fact]
    public async Task Write_KmsKeyConfigured_EveryObjectEncryptedWithIt()
    {
        const string key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
        var (store, s3, bucket) = await NewStoreAsync(o => o.S3.KmsKeyId = key);
        var big = new byte[6 << 20];
        var checkpoint = Checkpoint.Create("job", 1, 1, new Dictionary<string, byte[]> { ["big.bin"] = big, ["small.bin"] = [1, 2, 3] });

        await store.WriteAsync(checkpoint, CancellationToken.None);

        foreach (var name in new[] { "big.bin", "small.bin", "manifest.json" })
        {
            var head = await s3.GetObjectMetadataAsync(bucket, $"jobs/job/checkpoints/{checkpoint.Manifest.Id}/{name}");
            Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
            Assert.Equal(key, head.ServerSideEncryptionKeyManagementServiceKeyId);
        }
    }

    [Fact]
    public async Task BackgroundStore_WritesQueued_DrainMakesAllDurable()
    {
        var (store, _, _) = await NewStoreAsync();
        await using var background = new BackgroundCheckpointStore(store, maxPending: 2);

        for (var i = 1; i <= 4; i++) await background.WriteAsync(Small(i), CancellationToken.None);
        await background.DrainAsync(CancellationToken.None);

        Assert.Equal(4, (await store.ListAsync(CancellationToken.None)).Count);
    }

    internal static Checkpoint Small(int epoch, Dictionary<string, double>? metrics = null) =>
        Checkpoint.Create("job", epoch, epoch * 10, new Dictionary<string, byte[]>
        {
            ["weights.bin"] = Enumerable.Range(0, 1000).Select(i => (byte)(i * epoch)).ToArray(),
        }, metrics, DateTimeOffset.UnixEpoch);

    private async Task<(S3CheckpointStore Store, IAmazonS3 S3, string Bucket)> NewStoreAsync(Action<AwsOptions>? configure = null)
    {
        var options = _moto.Options(configure);
        var s3 = _moto.Connection(options).CreateClient<IAmazonS3>();
        var bucket = MotoFixture.RandomName("ckpt");
        await s3.PutBucketAsync(bucket);
        return (new S3CheckpointStore(new S3Transfer(s3, options.S3), bucket, "jobs/job/checkpoints"), s3, bucket);
    }
}
