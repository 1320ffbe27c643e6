using Amazon.S3.Model;

namespace TrainingWorkers.Aws.S3;

/// <summary>
/// What the coordinator keeps on S3 for a study (its report and pictures, under <c>s3://{bucket}/studies/{id}/</c>), and
/// the check that an <c>s3://</c> location a request names holds something before jobs are started from it.
/// </summary>
public sealed class S3StudyArtifacts
{
    private readonly S3Transfer _transfer;
    private readonly string _bucket;

    internal S3StudyArtifacts(S3Transfer transfer, S3Options options)
    {
        _transfer = transfer;
        _bucket = options.Bucket ?? throw new InvalidOperationException("Aws:S3:Bucket must be set to store study reports on S3");
    }

    /// <summary>Writes one file of the study and returns its <c>s3://</c> URI.</summary>
    public async Task<string> PutAsync(string studyId, string name, byte[] content, string contentType, CancellationToken cancellationToken)
    {
        var key = $"studies/{studyId}/{name}";
        var put = new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = new MemoryStream(content), ContentType = contentType };
        _transfer.ApplyEncryption(put);
        await SdkCall.RunAsync("s3", "PutStudyFile", () => _transfer.Client.PutObjectAsync(put, cancellationToken)).ConfigureAwait(false);
        return $"s3://{_bucket}/{key}";
    }

    /// <summary>Whether <paramref name="uri"/> is an object, or a prefix (a run or checkpoint directory) with at least one object.</summary>
    /// <exception cref="FormatException">It is not an S3 URI.</exception>
    public async Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(uri);
        if (!location.IsPrefix && await S3Listing.TryHeadAsync(_transfer.Client, location.Bucket, location.Key, cancellationToken).ConfigureAwait(false) is not null)
        {
            return true;
        }

        var prefix = location.IsPrefix ? location.Key : location.Key + "/";
        await foreach (var _ in S3Listing.ObjectsAsync(_transfer.Client, location.Bucket, prefix, cancellationToken).ConfigureAwait(false)) return true;
        return false;
    }
}
