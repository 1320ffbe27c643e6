using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TrainingWorkers.Aws.S3;

/// <summary>
/// Training data from S3 in a local cache shared by all jobs and ranks of the instance. An entry is keyed
/// by the URI and the ETag of every object in it, so a changed object is fetched again; objects arrive by
/// parallel ranged GETs pinned to their ETag, are checked for length (and MD5 where the ETag is one), and
/// the entry's <c>entry.json</c> is written last. Beyond the size limit the least recently used entries go.
/// </summary>
public sealed class S3DatasetCache
{
    private const string EntryFile = "entry.json";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromHours(1);
    private readonly S3Transfer _transfer;
    private readonly S3AccessPolicy _policy;
    private readonly string _root;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _hits;
    private long _misses;

    internal S3DatasetCache(S3Transfer transfer, S3AccessPolicy policy, string root, long maxBytes, TimeProvider time, ILogger<S3DatasetCache> logger)
    {
        _transfer = transfer;
        _policy = policy;
        _root = Path.GetFullPath(root);
        _maxBytes = maxBytes;
        _time = time;
        _logger = logger;
    }

    /// <summary>Fetches served from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>The cache's directory: everything it hands out lies under it.</summary>
    public string Root => _root;

    /// <summary>Fetches that downloaded.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>
    /// The local path of <paramref name="uri"/>: a file for an object, a directory mirroring the keys for a
    /// prefix (a URI ending in '/'). Throws <see cref="FormatException"/>, <see cref="S3AccessDeniedException"/>
    /// or <see cref="AwsServiceException"/>.
    /// </summary>
    public async Task<string> FetchAsync(string uri, CancellationToken cancellationToken)
    {
        var location = _policy.Authorize(uri);
        var objects = await ResolveAsync(location, cancellationToken).ConfigureAwait(false);
        var fingerprint = string.Join('\n', objects.Select(o => $"{o.RelativePath}\t{o.ETag}\t{o.Size}").Prepend(location.ToString()));
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint)))[..32];
        var dir = Path.Combine(_root, "entries", key);
        var data = Path.Combine(dir, "data");
        Directory.CreateDirectory(Path.Combine(_root, "locks"));
        await using (await CacheLock.AcquireAsync(Path.Combine(_root, "locks", key), LockTimeout, cancellationToken).ConfigureAwait(false))
        {
            if (File.Exists(Path.Combine(dir, EntryFile)))
            {
                Interlocked.Increment(ref _hits);
                File.SetLastWriteTimeUtc(Path.Combine(dir, EntryFile), _time.GetUtcNow().UtcDateTime);
                return location.IsPrefix ? data : Path.Combine(data, objects[0].RelativePath);
            }

            Interlocked.Increment(ref _misses);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            await DownloadAllAsync(location, objects, data, cancellationToken).ConfigureAwait(false);
            var entry = new CacheEntry(location.ToString(), objects.Sum(o => o.Size), objects.Count);
            await File.WriteAllBytesAsync(Path.Combine(dir, EntryFile), JsonSerializer.SerializeToUtf8Bytes(entry), cancellationToken).ConfigureAwait(false);
            File.SetLastWriteTimeUtc(Path.Combine(dir, EntryFile), _time.GetUtcNow().UtcDateTime);
            Log.DatasetCached(_logger, location.ToString(), objects.Count, entry.Bytes);
        }

        await EvictAsync(keep: key, cancellationToken).ConfigureAwait(false);
        return location.IsPrefix ? data : Path.Combine(data, objects[0].RelativePath);
    }

    private async Task<List<CachedObject>> ResolveAsync(S3Location location, CancellationToken cancellationToken)
    {
        if (!location.IsPrefix)
        {
            var head = await S3Listing.TryHeadAsync(_transfer.Client, location.Bucket, location.Key, cancellationToken).ConfigureAwait(false)
                ?? throw new AwsServiceException("s3", "HeadObject", "NoSuchKey", $"{location} does not exist", AwsErrorCategory.Request, 404);
            return [new CachedObject(location.Key, Path.GetFileName(location.Key), head.ETag, head.ContentLength)];
        }

        var objects = new List<CachedObject>();
        await foreach (var o in S3Listing.ObjectsAsync(_transfer.Client, location.Bucket, location.Key, cancellationToken).ConfigureAwait(false))
        {
            // Folder markers (keys ending in '/') hold no data.
            if (o.Key.EndsWith('/')) continue;
            var relative = o.Key[location.Key.Length..];
            if (relative.Split('/').Any(s => s is "" or "." or ".."))
            {
                throw new FormatException($"s3://{location.Bucket}/{o.Key} cannot be mirrored as a local path");
            }

            objects.Add(new CachedObject(o.Key, relative, o.ETag, o.Size ?? 0));
        }

        return objects.Count > 0 ? objects
            : throw new AwsServiceException("s3", "ListObjectsV2", "NoSuchKey", $"{location} holds no objects", AwsErrorCategory.Request, 404);
    }

    private async Task DownloadAllAsync(S3Location location, List<CachedObject> objects, string data, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(data);
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (o, ct) =>
        {
            var path = Path.Combine(data, o.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous, o.Size))
            {
                await SdkCall.RunAsync("s3", "DownloadDataset", () => _transfer.DownloadAsync(location.Bucket, o.Key, o.Size, o.ETag,
                    (offset, block, c) => RandomAccess.WriteAsync(handle, block, offset, c), ct)).ConfigureAwait(false);
            }

            await VerifyAsync(o, path, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    // A single-part, unencrypted object's ETag is the MD5 of its bytes; multipart and SSE-KMS ETags are not.
    private static async Task VerifyAsync(CachedObject o, string path, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (length != o.Size) throw new IOException($"{o.Key}: {length} bytes arrived, S3 lists {o.Size}");
        var etag = o.ETag.Trim('"');
        if (etag.Length != 32 || !etag.All(char.IsAsciiHexDigit)) return;
        await using var file = File.OpenRead(path);
        var md5 = Convert.ToHexStringLower(await MD5.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
        if (!string.Equals(md5, etag, StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException($"{o.Key}: the downloaded bytes do not match the object's ETag (MD5)");
        }
    }

    private async Task EvictAsync(string keep, CancellationToken cancellationToken)
    {
        var entries = new List<(string Key, string Dir, long Bytes, DateTime Used)>();
        foreach (var dir in Directory.EnumerateDirectories(Path.Combine(_root, "entries")))
        {
            var file = Path.Combine(dir, EntryFile);
            if (!File.Exists(file)) continue;
            var entry = JsonSerializer.Deserialize<CacheEntry>(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false));
            entries.Add((Path.GetFileName(dir), dir, entry?.Bytes ?? 0, File.GetLastWriteTimeUtc(file)));
        }

        var total = entries.Sum(e => e.Bytes);
        foreach (var victim in entries.Where(e => e.Key != keep).OrderBy(e => e.Used))
        {
            if (total <= _maxBytes) break;
            await using (await CacheLock.AcquireAsync(Path.Combine(_root, "locks", victim.Key), LockTimeout, cancellationToken).ConfigureAwait(false))
            {
                // The entry file goes first, so a half-deleted entry is never taken for a complete one.
                File.Delete(Path.Combine(victim.Dir, EntryFile));
                Directory.Delete(victim.Dir, recursive: true);
            }

            total -= victim.Bytes;
            Log.DatasetEvicted(_logger, victim.Key, victim.Bytes);
        }
    }

    private sealed record CachedObject(string Key, string RelativePath, string ETag, long Size);

    private sealed record CacheEntry(string Uri, long Bytes, int Objects);
}
