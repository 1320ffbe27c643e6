using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Aws.S3;

/// <summary>
/// Where a job's files live on S3: checkpoints under <c>s3://{bucket}/{prefix}/{jobId}/checkpoints/</c> and
/// the final model under <c>.../{jobId}/model/</c>. Wrap a job's store in a <see cref="BackgroundCheckpointStore"/>
/// so training does not wait on uploads, and drain it before reporting the job done.
/// </summary>
public sealed class S3JobStorage
{
    private readonly S3Transfer _transfer;
    private readonly string _bucket;
    private readonly string _prefix;

    internal S3JobStorage(S3Transfer transfer, S3Options options)
    {
        _transfer = transfer;
        _bucket = options.Bucket ?? throw new InvalidOperationException("Aws:S3:Bucket must be set to store checkpoints on S3");
        _prefix = options.Prefix;
    }

    /// <summary>The checkpoint store of one job.</summary>
    public ICheckpointStore CheckpointsFor(string jobId) => new S3CheckpointStore(_transfer, _bucket, JobPrefix(jobId) + "checkpoints");

    /// <summary>The <c>s3://</c> directory of one of the job's checkpoints, as <c>fine_tune.from</c> takes it.</summary>
    public string CheckpointUri(string jobId, string checkpointId) => $"s3://{_bucket}/{JobPrefix(jobId)}checkpoints/{checkpointId}/";

    /// <summary>Uploads the final model file (in parallel parts when large) and returns its <c>s3://</c> URI.</summary>
    public async Task<string> UploadModelAsync(string jobId, string localPath, CancellationToken cancellationToken)
    {
        var key = JobPrefix(jobId) + "model/" + Path.GetFileName(localPath);
        var length = new FileInfo(localPath).Length;
        await SdkCall.RunAsync("s3", "UploadModel", () => _transfer.UploadAsync(_bucket, key, length, (offset, count) =>
        {
            var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            file.Position = offset;
            return new BoundedStream(file, count);
        }, cancellationToken)).ConfigureAwait(false);
        return $"s3://{_bucket}/{key}";
    }

    private string JobPrefix(string jobId)
    {
        if (jobId.Length == 0 || jobId.Length > 200 || !jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || jobId is "." or "..")
        {
            throw new ArgumentException($"'{jobId}' is not a valid job id for an S3 key (1-200 of [A-Za-z0-9._-])", nameof(jobId));
        }

        return _prefix.Length == 0 ? $"{jobId}/" : $"{_prefix}/{jobId}/";
    }
}
