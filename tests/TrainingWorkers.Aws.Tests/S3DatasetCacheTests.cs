using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.S3;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class S3DatasetCacheTests : IDisposable
{
    private readonly MotoFixture _moto;
    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), "tw-cache-test-" + Guid.NewGuid().ToString("N"));

    public S3DatasetCacheTests(MotoFixture moto) => _moto = moto;

    public void Dispose()
    {
        if (Directory.Exists(_cacheDir)) Directory.Delete(_cacheDir, recursive: true);
    }

    [Fact]
    public async Task Fetch_SameObjectTwice_DownloadedOnceThenReused()
    {
        var (cache, s3, bucket, _) = await NewCacheAsync();
        await Put(s3, bucket, "data/train.bin", Bytes(3000, 1));

        var first = await cache.FetchAsync($"s3://{bucket}/data/train.bin", CancellationToken.None);
        var second = await cache.FetchAsync($"s3://{bucket}/data/train.bin", CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(Bytes(3000, 1), await File.ReadAllBytesAsync(second));
        Assert.Equal((1, 1), (cache.Misses, cache.Hits));
    }

    [Fact]
    public async Task Fetch_ObjectChangedSinceCached_FetchedAgain()
    {
        var (cache, s3, bucket, _) = await NewCacheAsync();
        await Put(s3, bucket, "model.pt", Bytes(100, 1));
        var old = await cache.FetchAsync($"s3://{bucket}/model.pt", CancellationToken.None);

        await Put(s3, bucket, "model.pt", Bytes(100, 2));
        var fresh = await cache.FetchAsync($"s3://{bucket}/model.pt", CancellationToken.None);

        Assert.NotEqual(old, fresh);
        Assert.Equal(Bytes(100, 2), await File.ReadAllBytesAsync(fresh));
        Assert.Equal((2, 0), (cache.Misses, cache.Hits));
    }

    [Fact]
    public async Task Fetch_LargeObject_ParallelRangesReassembledExactly()
    {
        var (cache, s3, bucket, _) = await NewCacheAsync(o => o.S3.PartSizeBytes = 5L << 20);
        var big = Bytes(23 << 20, 7);
        await Put(s3, bucket, "big.bin", big);

        var path = await cache.FetchAsync($"s3://{bucket}/big.bin", CancellationToken.None);

        var read = await File.ReadAllBytesAsync(path);
        Assert.True(big.AsSpan().SequenceEqual(read));
    }

    [Fact]
    public async Task Fetch_Prefix_MirroredAsDirectory()
    {
        var (cache, s3, bucket, _) = await NewCacheAsync();
        await Put(s3, bucket, "sets/mnist/train/a.bin", Bytes(10, 1));
        await Put(s3, bucket, "sets/mnist/test/b.bin", Bytes(20, 2));
        await Put(s3, bucket, "sets/other/c.bin", Bytes(30, 3));

        var dir = await cache.FetchAsync($"s3://{bucket}/sets/mnist/", CancellationToken.None);

        Assert.Equal(Bytes(10, 1), await File.ReadAllBytesAsync(Path.Combine(dir, "train", "a.bin")));
        Assert.Equal(Bytes(20, 2), await File.ReadAllBytesAsync(Path.Combine(dir, "test", "b.bin")));
        Assert.Equal(2, Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Fetch_OverSizeLimit_LeastRecentlyUsedEvicted()
    {
        var (cache, s3, bucket, clock) = await NewCacheAsync(o => o.S3.CacheMaxBytes = 2500);
        foreach (var name in new[] { "a", "b", "c" }) await Put(s3, bucket, name, Bytes(1000, name[0]));

        var a = await cache.FetchAsync($"s3://{bucket}/a", CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        var b = await cache.FetchAsync($"s3://{bucket}/b", CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        await cache.FetchAsync($"s3://{bucket}/a", CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        var c = await cache.FetchAsync($"s3://{bucket}/c", CancellationToken.None);

        Assert.True(File.Exists(a));
        Assert.False(File.Exists(b));
        Assert.True(File.Exists(c));
    }

    [Fact]
    public async Task Fetch_ConcurrentCallersSameObject_OneDownload()
    {
        var (cache, s3, bucket, _) = await NewCacheAsync();
        await Put(s3, bucket, "shared.bin", Bytes(50_000, 3));

        var paths = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => cache.FetchAsync($"s3://{bucket}/shared.bin", CancellationToken.None)));

        Assert.Single(paths.Distinct());
        Assert.Equal((1, 3), (cache.Misses, cache.Hits));
    }

    [Theory]
    [InlineData("s3://other-bucket/data/x.bin")]
    [InlineData("s3://allowed-bucket/data-private/x.bin")]
    public async Task Fetch_OutsideAllowList_RefusedBeforeAnyRequest(string uri)
    {
        var (cache, _, _, _) = await NewCacheAsync(o => o.S3.AllowedPrefixes = ["s3://allowed-bucket/data"]);

        var e = await Assert.ThrowsAsync<S3AccessDeniedException>(() => cache.FetchAsync(uri, CancellationToken.None));

        Assert.Contains("Aws:S3:AllowedPrefixes", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
    }

    [Theory]
    [InlineData("https://bucket/key")]
    [InlineData("s3://UPPER/key")]
    [InlineData("s3://b/key")]
    [InlineData("s3://bucket/../etc/passwd")]
    public async Task Fetch_NotAnS3Uri_FormatErrorSaysWhy(string uri)
    {
        var (cache, _, _, _) = await NewCacheAsync();

        var e = await Assert.ThrowsAsync<FormatException>(() => cache.FetchAsync(uri, CancellationToken.None));

        Assert.Contains("is not an S3 URI", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Task Put(IAmazonS3 s3, string bucket, string key, byte[] bytes) =>
        s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(bytes) });

    private async Task<(S3DatasetCache Cache, IAmazonS3 S3, string Bucket, ManualTimeProvider Clock)> NewCacheAsync(Action<AwsOptions>? configure = null)
    {
        var bucket = MotoFixture.RandomName("data");
        var options = _moto.Options(o =>
        {
            o.S3.AllowedPrefixes = [$"s3://{bucket}"];
            configure?.Invoke(o);
        });
        var s3 = _moto.Connection(options).CreateClient<IAmazonS3>();
        await s3.PutBucketAsync(bucket);
        var clock = new ManualTimeProvider();
        var cache = new S3DatasetCache(new S3Transfer(s3, options.S3), S3AccessPolicy.FromOptions(options.S3), _cacheDir,
            options.S3.CacheMaxBytes, clock, NullLogger<S3DatasetCache>.Instance);
        return (cache, s3, bucket, clock);
    }
}
