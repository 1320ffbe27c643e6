using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Coordinator.Pipelines;

/// <summary>
/// Finds the weights a pipeline starts from, once, before its first job: a job's final model (the job must have
/// succeeded), or an S3 location that must hold something. Anything else fails the pipeline at once, naming the field.
/// </summary>
internal static class BaseModelResolver
{
    public static async Task<string> ResolveAsync(StudyContext context, BaseModel model, string field, IJobStore jobs, CancellationToken cancellationToken)
    {
        if (model.Job is { } jobId)
        {
            var job = await jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (job is null) throw new StudyFailure(FailureKind.InvalidInput, $"{field}.job: job '{jobId}' does not exist");
            if (job.Status != JobStatus.Succeeded || job.ModelUri is null)
            {
                throw new StudyFailure(FailureKind.InvalidInput, $"{field}.job: job '{jobId}' is {job.Status}: the base model must be a job that succeeded (it has a model)");
            }

            return job.ModelUri;
        }

        var (name, uri) = model.Uri is { } u ? ("uri", u) : ("torchscript", model.TorchScript!);
        return await context.Files.ExistsAsync(uri, cancellationToken).ConfigureAwait(false)
            ? uri
            : throw new StudyFailure(FailureKind.InvalidInput, $"{field}.{name}: {uri}: nothing is there (or the coordinator may not read it)");
    }
}
