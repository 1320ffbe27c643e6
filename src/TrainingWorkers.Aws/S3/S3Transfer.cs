using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;

namespace TrainingWorkers.Aws.S3;

/// <summary>
/// Moves large objects: multipart uploads with parts sent in parallel, and downloads by parallel ranged
/// GETs pinned to one ETag (so an object replaced mid-download fails instead of mixing two versions).
/// </summary>
internal sealed class S3Transfer
{
    private const long MaxParts = 10_000;
    private const long MaxRangeBytes = 64L << 20;
    private readonly IAmazonS3 _s3;
    private readonly S3Options _options;

    public S3Transfer(IAmazonS3 s3, S3Options options)
    {
        _s3 = s3;
        _options = options;
    }

    public IAmazonS3 Client => _s3;

    /// <summary>Uploads <paramref name="length"/> bytes; <paramref name="open"/> gives a stream over [offset, offset+count).</summary>
    /// <param name="tags">Object tags (e.g. <see cref="CheckpointTag"/>), or null for none.</param>
    public async Task UploadAsync(string bucket, string key, long length, Func<long, long, Stream> open, CancellationToken cancellationToken, List<Tag>? tags = null)
    {
        if (length < _options.MultipartThresholdBytes)
        {
            using var body = open(0, length);
            var put = new PutObjectRequest
            {
                BucketName = bucket, Key = key, InputStream = body, AutoCloseStream = false, UseChunkEncoding = false,
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32C, ChecksumCRC32C = Crc32C.ToBase64(Crc32C.Compute(body)), TagSet = tags,
            };
            ApplyEncryption(put);
            await _s3.PutObjectAsync(put, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Declaring the checksum up front makes the upload's integrity check per part (a composite CRC-32C that the
        // server combines from the parts' own). Left undeclared, S3 (and moto, which then copies the whole object a
        // second time to do it) computes a full-object checksum at completion. The `aws` CLI declares CRC-32 the same way.
        var initiate = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ChecksumAlgorithm = ChecksumAlgorithm.CRC32C, TagSet = tags };
        if (_options.KmsKeyId is not null)
        {
            initiate.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            initiate.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
        }

        var uploadId = (await _s3.InitiateMultipartUploadAsync(initiate, cancellationToken).ConfigureAwait(false)).UploadId;
        try
        {
            var partSize = PartSizeFor(length, _options.PartSizeBytes);
            var partCount = (int)((length + partSize - 1) / partSize);
            var etags = new PartETag[partCount];
            await Parallel.ForEachAsync(Enumerable.Range(0, partCount),
                new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken },
                async (index, ct) =>
                {
                    var offset = index * partSize;
                    var size = Math.Min(partSize, length - offset);
                    using var body = open(offset, size);
                    // Computed here, with the CPU's CRC-32C instruction, the SDK sees the header and computes none itself.
                    var crc = Crc32C.ToBase64(Crc32C.Compute(body));
                    var response = await _s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = index + 1, PartSize = size, InputStream = body,
                        // One signature over the whole part instead of aws-chunked framing: the part is in memory or a file slice anyway.
                        UseChunkEncoding = false,
                        ChecksumAlgorithm = ChecksumAlgorithm.CRC32C, ChecksumCRC32C = crc,
                    }, ct).ConfigureAwait(false);
                    etags[index] = new PartETag(index + 1, response.ETag) { ChecksumCRC32C = crc };
                }).ConfigureAwait(false);

            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket, Key = key, UploadId = uploadId, PartETags = [.. etags],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // An abandoned upload keeps its parts (and their cost) until aborted; the object never appears.
            using var abort = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _s3.AbortMultipartUploadAsync(bucket, key, uploadId, abort.Token).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Downloads an object of <paramref name="length"/> bytes, handing each received block to <paramref name="sink"/>
    /// with its offset. Blocks arrive concurrently and out of order.
    /// </summary>
    public async Task DownloadAsync(string bucket, string key, long length, string? etag,
        Func<long, ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, CancellationToken cancellationToken)
    {
        if (length == 0) return;
        var rangeSize = RangeSizeFor(length, _options.PartSizeBytes, _options.Parallelism);
        var ranges = (int)((length + rangeSize - 1) / rangeSize);
        await Parallel.ForEachAsync(Enumerable.Range(0, ranges),
            new ParallelOptions { MaxDegreeOfParallelism = ranges == 1 ? 1 : _options.Parallelism, CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                var start = index * rangeSize;
                var end = Math.Min(start + rangeSize, length) - 1;
                var request = new GetObjectRequest { BucketName = bucket, Key = key, EtagToMatch = etag };
                if (ranges > 1) request.ByteRange = new ByteRange(start, end);
                using var response = await _s3.GetObjectAsync(request, ct).ConfigureAwait(false);
                await CopyAsync(response.ResponseStream, start, end - start + 1, sink, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>The configured part size, or larger where the object would need more than S3's 10,000 parts.</summary>
    internal static long PartSizeFor(long length, long configured) => Math.Max(configured, (length + MaxParts - 1) / MaxParts);

    // One range per parallel stream, PartSizeBytes..64 MiB long: fewer, larger requests cost the server less per
    // byte, and the cap bounds what a broken connection makes us fetch again.
    internal static long RangeSizeFor(long length, long partSize, int parallelism) =>
        Math.Clamp((length + parallelism - 1) / parallelism, partSize, Math.Max(partSize, MaxRangeBytes));

    public void ApplyEncryption(PutObjectRequest put)
    {
        if (_options.KmsKeyId is null) return;
        put.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
        put.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
    }

    private static async Task CopyAsync(Stream source, long offset, long expected, Func<long, ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink,
        CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long done = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (done + read > expected) throw new IOException($"the server sent more than the {expected} bytes asked for");
                await sink(offset + done, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                done += read;
            }

            if (done != expected) throw new IOException($"the server sent {done} of {expected} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
