using TrainingWorkers.Coordinator.Jobs;
using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Coordinator.Tests.Simulation;

/// <summary>The S3 side of the coordinator in a directory: each job's checkpoints (real manifests), the report files, and which URIs exist.</summary>
internal sealed class FakeStudyFiles(string root) : IStudyFiles
{
    public Dictionary<string, byte[]> Written { get; } = new(StringComparer.Ordinal);

    /// <summary>URIs <see cref="ExistsAsync"/> answers true for, besides every job's checkpoints and models.</summary>
    public HashSet<string> Existing { get; } = new(StringComparer.Ordinal);

    public ICheckpointStore CheckpointsOf(string jobId) => new DirectoryCheckpointStore(Path.Combine(root, jobId));

    public string CheckpointUri(string jobId, string checkpointId) => $"s3://fake/jobs/{jobId}/checkpoints/{checkpointId}/";

    public Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken) => Task.FromResult(Existing.Contains(uri) || uri.StartsWith("s3://fake/jobs/", StringComparison.Ordinal));

    public Task<string> PutAsync(string studyId, string name, byte[] content, string contentType, CancellationToken cancellationToken)
    {
        var uri = $"s3://fake/studies/{studyId}/{name}";
        Written[uri] = content;
        return Task.FromResult(uri);
    }
}
