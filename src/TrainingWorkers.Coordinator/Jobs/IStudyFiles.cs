using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Coordinator.Jobs;

/// <summary>What the coordinator reads and writes of S3: the jobs' checkpoints (a stage starts from the best one) and the studies' reports.</summary>
internal interface IStudyFiles
{
    /// <summary>The checkpoints a job's worker made durable (their manifests hold each epoch's metrics).</summary>
    ICheckpointStore CheckpointsOf(string jobId);

    /// <summary>The URI of one checkpoint as a job spec's <c>fine_tune.from</c> names it.</summary>
    string CheckpointUri(string jobId, string checkpointId);

    /// <summary>Whether a location a request names holds an object (or a directory of objects).</summary>
    Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken);

    /// <summary>Writes one file of a study's report; returns its URI.</summary>
    Task<string> PutAsync(string studyId, string name, byte[] content, string contentType, CancellationToken cancellationToken);
}
