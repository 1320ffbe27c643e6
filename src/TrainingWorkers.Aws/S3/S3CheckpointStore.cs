using System.Text.Json;
using Amazon.S3.Model;
using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Aws.S3;

/// <summary>
/// One job's checkpoints under <c>s3://bucket/{prefix}/{id}/</c>. Payload objects are uploaded first
/// (large ones in parallel parts) and <c>manifest.json</c> last; a checkpoint is listed only when its
/// manifest is present and every payload object exists with the manifest's length, and reads verify
/// every SHA-256.
/// </summary>
internal sealed class S3CheckpointStore : ICheckpointStore
{
    internal const string ManifestName = "manifest.json";
    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };
    private readonly S3Transfer _transfer;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <param name="prefix">The key prefix of this job's checkpoints, without a trailing '/'.</param>
    public S3CheckpointStore(S3Transfer transfer, string bucket, string prefix)
    {
        _transfer = transfer;
        _bucket = bucket;
        _prefix = prefix.TrimEnd('/');
    }

    public string Location => $"s3://{_bucket}/{_prefix}/";

    public async Task WriteAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var id = CheckName(checkpoint.Manifest.Id);
        foreach (var (name, bytes) in checkpoint.Files)
        {
            await SdkCall.RunAsync("s3", "UploadCheckpointFile", () => _transfer.UploadAsync(_bucket, Key(id, CheckName(name)), bytes.LongLength,
                (offset, count) => new MemoryStream(bytes, (int)offset, (int)count, writable: false, publiclyVisible: true), cancellationToken,
                CheckpointTag.TagSet())).ConfigureAwait(false);
        }

        var manifest = JsonSerializer.SerializeToUtf8Bytes(checkpoint.Manifest, ManifestJson);
        var put = new PutObjectRequest
        {
            BucketName = _bucket, Key = Key(id, ManifestName), InputStream = new MemoryStream(manifest), ContentType = "application/json",
            TagSet = CheckpointTag.TagSet(),
        };
        _transfer.ApplyEncryption(put);
        await SdkCall.RunAsync("s3", "PutManifest", () => _transfer.Client.PutObjectAsync(put, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CheckpointManifest>> ListAsync(CancellationToken cancellationToken)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var o in S3Listing.ObjectsAsync(_transfer.Client, _bucket, _prefix + "/", cancellationToken).ConfigureAwait(false))
        {
            sizes[o.Key[(_prefix.Length + 1)..]] = o.Size ?? 0;
        }

        var result = new List<CheckpointManifest>();
        foreach (var manifestKey in sizes.Keys.Where(k => k.EndsWith("/" + ManifestName, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var id = manifestKey[..manifestKey.IndexOf('/', StringComparison.Ordinal)];
            var manifest = await TryReadManifestAsync(id, cancellationToken).ConfigureAwait(false);
            if (manifest is not null && string.Equals(manifest.Id, id, StringComparison.Ordinal)
                && manifest.Files.All(f => sizes.TryGetValue($"{id}/{f.Name}", out var size) && size == f.Length))
            {
                result.Add(manifest);
            }
        }

        return result;
    }

    public async Task<Checkpoint> ReadAsync(string id, CancellationToken cancellationToken)
    {
        CheckName(id);
        var manifest = await TryReadManifestAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new CorruptCheckpointException(id, "its manifest is missing or unreadable");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            var head = await S3Listing.TryHeadAsync(_transfer.Client, _bucket, Key(id, CheckName(file.Name)), cancellationToken).ConfigureAwait(false);
            if (head is null) continue;
            if (head.ContentLength != file.Length)
            {
                throw new CorruptCheckpointException(id, $"payload file '{file.Name}' has {head.ContentLength} bytes, the manifest says {file.Length}");
            }

            var bytes = GC.AllocateUninitializedArray<byte>(checked((int)file.Length));
            await SdkCall.RunAsync("s3", "DownloadCheckpointFile", () => _transfer.DownloadAsync(_bucket, Key(id, file.Name), file.Length, head.ETag,
                (offset, block, _) =>
                {
                    block.Span.CopyTo(bytes.AsSpan(checked((int)offset)));
                    return ValueTask.CompletedTask;
                }, cancellationToken)).ConfigureAwait(false);
            files[file.Name] = bytes;
        }

        var checkpoint = new Checkpoint(manifest, files);
        checkpoint.Verify();
        return checkpoint;
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var manifestKey = Key(CheckName(id), ManifestName);
        await SdkCall.RunAsync("s3", "DeleteManifest", () => _transfer.Client.DeleteObjectAsync(_bucket, manifestKey, cancellationToken)).ConfigureAwait(false);
        var keys = new List<string>();
        await foreach (var o in S3Listing.ObjectsAsync(_transfer.Client, _bucket, $"{_prefix}/{id}/", cancellationToken).ConfigureAwait(false))
        {
            keys.Add(o.Key);
        }

        await S3Listing.DeleteAsync(_transfer.Client, _bucket, keys, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CheckpointManifest?> TryReadManifestAsync(string id, CancellationToken cancellationToken)
    {
        var bytes = await S3Listing.TryGetBytesAsync(_transfer.Client, _bucket, Key(id, ManifestName), cancellationToken).ConfigureAwait(false);
        if (bytes is null) return null;
        try
        {
            return JsonSerializer.Deserialize<CheckpointManifest>(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string Key(string id, string name) => $"{_prefix}/{id}/{name}";

    // Ids and file names become key segments; refuse anything that would change the key's shape.
    private static string CheckName(string name) =>
        name.Length > 0 && name.IndexOfAny(['/', '\\']) < 0 && name != "." && name != ".." && !name.Any(char.IsControl)
            ? name
            : throw new ArgumentException($"'{name}' is not a valid checkpoint or file name", nameof(name));
}
