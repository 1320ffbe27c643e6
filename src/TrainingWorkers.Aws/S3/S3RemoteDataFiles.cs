using TrainingWorkers.Core.Data;

namespace TrainingWorkers.Aws.S3;

/// <summary>Dataset objects on S3 through the instance's <see cref="S3DatasetCache"/> (allow-list, ETag-keyed entries, LRU eviction).</summary>
public sealed class S3RemoteDataFiles(S3DatasetCache cache) : IRemoteDataFiles
{
    public Task<string> FetchAsync(string uri, CancellationToken cancellationToken)
    {
        if (uri.EndsWith('/')) throw new ArgumentException($"{uri} is a prefix; name one object", nameof(uri));
        return cache.FetchAsync(uri, cancellationToken);
    }
}
