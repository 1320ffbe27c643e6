namespace TrainingWorkers.Core.Data;

/// <summary>
/// Remote dataset objects (<c>s3://</c> URIs) as local files, through the instance's dataset cache: the port the
/// engine streams shards through without knowing AWS. The AWS adapter implements it; the CLI composes it.
/// </summary>
public interface IRemoteDataFiles
{
    /// <summary>The local path of one object, downloaded into the cache unless already there (and unchanged).</summary>
    Task<string> FetchAsync(string uri, CancellationToken cancellationToken);
}
