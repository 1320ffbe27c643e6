using TrainingWorkers.Core.Data;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Engine.Data.Shards;

/// <summary>
/// Where a webdataset's shards are: a local directory, or an <c>s3://</c> prefix whose manifest and shards come
/// one object at a time through the instance's cache (<see cref="IRemoteDataFiles"/>), so a data set larger than
/// memory (or than the cache) streams.
/// </summary>
internal sealed class ShardSource
{
    private readonly string _location;
    private readonly IRemoteDataFiles? _remote;
    private readonly DataLocationPolicy _policy;

    private ShardSource(string location, string field, ShardManifest manifest, IRemoteDataFiles? remote, DataLocationPolicy policy)
    {
        (_location, Field, Manifest, _remote, _policy) = (location.TrimEnd('/'), field, manifest, remote, policy);
    }

    public string Field { get; }
    public ShardManifest Manifest { get; }

    public static ShardSource Open(string location, string field, DataLocationPolicy policy, IRemoteDataFiles? remote)
    {
        var manifestPath = $"{location.TrimEnd('/')}/{ShardManifest.FileName}";
        string local;
        if (DataSpec.IsRemote(location))
        {
            if (remote is null) throw new JobInputException(field, "an s3:// location is read by a worker's ranks (tw submit), or by tw run with TW_Aws__ settings", location);
            local = Fetch(remote, manifestPath, field);
        }
        else
        {
            DataFile.RequireDirectory(location, field, policy);
            local = manifestPath;
            DataFile.RequireFile(local, field, policy);
        }

        var bytes = DataFile.Read(local, field, () => new FileInfo(local).Length > 64 << 20 ? null : File.ReadAllBytes(local));
        var manifest = (bytes is null ? null : ShardManifest.Parse(bytes))
            ?? throw new JobInputException(field, $"{ShardManifest.FileName} is not a shard manifest written by tw dataset pack", manifestPath);
        return new ShardSource(location, field, manifest, remote, policy);
    }

    /// <summary>Where shard <paramref name="index"/> is on this machine (fetched into the cache first when remote).</summary>
    public string Local(int index, CancellationToken cancellationToken = default)
    {
        var name = Manifest.Shards[index].Name;
        if (_remote is not null) return Fetch(_remote, $"{_location}/{name}", Field, cancellationToken);
        var path = Path.Combine(_location, name);
        DataFile.RequireFile(path, Field, _policy);
        return path;
    }

    private static string Fetch(IRemoteDataFiles remote, string uri, string field, CancellationToken cancellationToken = default)
    {
        try
        {
            return remote.FetchAsync(uri, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException and not IKnowsFailureKind)
        {
            throw new JobInputException(field, $"cannot be fetched ({FailureText.Bound(e.Message, FailureText.MaxName)})", uri, e);
        }
    }
}
