using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Coordinator.Jobs;

/// <summary><see cref="IStudyFiles"/> on the fleet's bucket: checkpoints where the workers put them, reports under <c>studies/</c>.</summary>
internal sealed class S3StudyFiles(S3JobStorage jobs, S3StudyArtifacts artifacts) : IStudyFiles
{
    public ICheckpointStore CheckpointsOf(string jobId) => jobs.CheckpointsFor(jobId);

    public string CheckpointUri(string jobId, string checkpointId) => jobs.CheckpointUri(jobId, checkpointId);

    public async Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken)
    {
        try
        {
            return await artifacts.ExistsAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public Task<string> PutAsync(string studyId, string name, byte[] content, string contentType, CancellationToken cancellationToken) =>
        artifacts.PutAsync(studyId, name, content, contentType, cancellationToken);
}
