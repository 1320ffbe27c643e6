using System.Globalization;
using System.Security.Cryptography;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Core.Studies;

/// <summary>
/// Submits studies (<c>tw finetune</c>, <c>tw tune</c>): the request is validated with every error (<see cref="StudyRequestParser"/>),
/// what it names in the stores is checked (the base model's job succeeded, the warm start's study is a sweep), and the
/// study is recorded as <see cref="StudyStatus.Queued"/> for a coordinator to claim. Nothing is queued: the coordinator
/// submits the study's jobs.
/// </summary>
public sealed class StudySubmission(IStudyStore studies, IJobStore jobs)
{
    /// <summary>
    /// Records the study; throws <see cref="JobInputException"/> naming the field when a job or study the request names is
    /// not usable, and when <paramref name="studyId"/> is taken (field <c>study_id</c>).
    /// </summary>
    public async Task<string> SubmitAsync(StudyRequest request, string requestJson, string? studyId, TimeProvider time, CancellationToken cancellationToken)
    {
        studyId ??= NewStudyId(request.Name, time);
        if (!JobMessage.IsValidJobId(studyId) || studyId.Length > 80)
        {
            throw new JobInputException("study_id", $"must be 1-80 of the characters a job id may have ({JobMessage.JobIdRule}), got '{FailureText.Bound(studyId, FailureText.MaxName)}'");
        }

        await CheckReferencesAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await studies.CreateAsync(studyId, request.Kind, request.Name, requestJson, cancellationToken).ConfigureAwait(false))
        {
            throw new JobInputException("study_id", $"study '{studyId}' already exists");
        }

        return studyId;
    }

    /// <summary>Checks the jobs and studies a request names; the coordinator checks again when it starts the study.</summary>
    public async Task CheckReferencesAsync(StudyRequest request, CancellationToken cancellationToken)
    {
        var baseModel = request switch
        {
            FineTuneRequest f => f.BaseModel,
            TuneRequest { Stage: { } stage } => stage.Pipeline.BaseModel,
            _ => null,
        };
        var field = request is FineTuneRequest ? "base_model.job" : "finetune.base_model.job";
        if (baseModel?.Job is { } jobId)
        {
            var job = await jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (job is null) throw new JobInputException(field, $"job '{jobId}' does not exist");
            if (job.Status != JobStatus.Succeeded || job.ModelUri is null)
            {
                throw new JobInputException(field, $"job '{jobId}' is {job.Status}: the base model must be a job that succeeded (it has a model)");
            }
        }

        if (request is TuneRequest { WarmStart: { } warm })
        {
            var earlier = await studies.GetAsync(warm.Study, cancellationToken).ConfigureAwait(false);
            if (earlier is null) throw new JobInputException("warm_start.study", $"study '{warm.Study}' does not exist");
            if (earlier.Kind != StudyKinds.Tune) throw new JobInputException("warm_start.study", $"study '{warm.Study}' is a {earlier.Kind} study, not a tune study");
        }
    }

    /// <summary><c>{name}-{UTC yyyyMMdd-HHmmss}-{6 random hex}</c>; the name is at most 40 characters, so the id stays under 70.</summary>
    public static string NewStudyId(string name, TimeProvider time) =>
        $"{name}-{time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
}
