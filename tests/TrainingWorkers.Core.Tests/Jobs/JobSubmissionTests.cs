using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Testing;

namespace TrainingWorkers.Core.Tests.Jobs;

public sealed class JobSubmissionTests
{
    private static readonly JsonElement Valid = Json("""
        { "apiVersion": "trainingworkers/v1", "name": "fashion-cnn", "data": { "train": "fashion-mnist" }, "training": { "epochs": 2 } }
        """);

    private readonly InMemoryJobStore _store = new(TimeProvider.System);
    private readonly InMemoryJobQueue _queue = new(TimeProvider.System);

    private JobStatus? StatusOf(string jobId) => _store.GetAsync(jobId, CancellationToken.None).Result?.Status;

    [Fact]
    public async Task Submit_NewJob_RecordedAsQueuedBeforeItsMessageIsSent()
    {
        _queue.FailNext(_ =>
        {
            Assert.True(StatusOf("job-1") == JobStatus.Queued, "the message went out before the record existed");
            return null;
        });
        var job = JobSubmission.Prepare(Valid, "job-1", validate: true);

        var submitted = await new JobSubmission(_store, _queue).SubmitAsync(job, CancellationToken.None);

        Assert.Equal(new SubmittedJob("job-1", "m1"), submitted);
        var record = (await _store.GetAsync("job-1", CancellationToken.None))!;
        Assert.Equal((JobStatus.Queued, Valid.GetRawText()), (record.Status, record.SpecJson));
        Assert.Equal("job-1", Assert.Single(_queue.Messages).Job.JobId);
    }

    [Fact]
    public async Task Submit_IdTaken_JobExistsAndNothingQueued()
    {
        await _store.CreateAsync("job-1", "{}", CancellationToken.None);
        await _store.TryClaimAsync("job-1", "worker-a", TimeSpan.FromMinutes(1), CancellationToken.None);

        var e = await Assert.ThrowsAsync<JobExistsException>(
            () => new JobSubmission(_store, _queue).SubmitAsync(JobSubmission.Prepare(Valid, "job-1", validate: false), CancellationToken.None));

        Assert.Equal(("job_id", "job-1"), (e.Field, e.JobId));
        Assert.Equal(FailureKind.InvalidInput, JobFailure.From(e).Kind);
        Assert.Empty(_queue.Messages);
        Assert.Equal(JobStatus.Running, StatusOf("job-1"));
    }

    [Fact]
    public async Task Submit_QueueRefuses_RecordCancelledAndTheCauseKeptWithItsKind()
    {
        var cause = new KnownFailure("sqs SendMessage failed: AccessDenied", FailureKind.Fatal);
        _queue.FailNext(_ => cause);

        var e = await Assert.ThrowsAsync<JobNotQueuedException>(
            () => new JobSubmission(_store, _queue).SubmitAsync(JobSubmission.Prepare(Valid, "job-2", validate: false), CancellationToken.None));

        Assert.Same(cause, e.InnerException);
        Assert.Null(e.CancelFailure);
        Assert.Equal(JobStatus.Cancelled, StatusOf("job-2"));
        Assert.Equal("sqs SendMessage failed: AccessDenied; the job was recorded but not queued, and its record job-2 is now Cancelled", e.Message);
        // A fatal queue (access denied, queue gone) stays fatal for whoever submits: the coordinator stops on it.
        Assert.Equal(FailureKind.Fatal, JobFailure.From(e).Kind);
    }

    [Fact]
    public async Task Submit_QueueAndCancelBothFail_RecordStaysQueuedAndSaysWhy()
    {
        var unreachable = new IOException("table unreachable");
        _queue.FailNext(_ => new IOException("network down"));
        _store.FailNext(operation => operation == nameof(IJobStore.RequestCancelAsync) ? unreachable : null);

        var e = await Assert.ThrowsAsync<JobNotQueuedException>(
            () => new JobSubmission(_store, _queue).SubmitAsync(JobSubmission.Prepare(Valid, "job-3", validate: false), CancellationToken.None));

        Assert.Same(unreachable, e.CancelFailure);
        Assert.Equal(JobStatus.Queued, StatusOf("job-3"));
        Assert.EndsWith("its record job-3 stays Queued (cancelling it failed: table unreachable)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_CallerCancelsWhileSending_CancellationPassesAndTheRecordIsLeftAlone()
    {
        using var cancel = new CancellationTokenSource();
        _queue.FailNext(_ =>
        {
            cancel.Cancel();
            return new OperationCanceledException(cancel.Token);
        });
        var cancelRequests = 0;
        _store.FailNext(operation =>
        {
            if (operation == nameof(IJobStore.RequestCancelAsync)) cancelRequests++;
            return null;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new JobSubmission(_store, _queue).SubmitAsync(JobSubmission.Prepare(Valid, "job-4", validate: false), cancel.Token));

        // Whether the message went out is unknown: a worker that receives it runs the job.
        Assert.Equal(JobStatus.Queued, StatusOf("job-4"));
        Assert.Equal(0, cancelRequests);
    }

    [Fact]
    public void Prepare_InvalidSpecWithValidation_EveryErrorListed()
    {
        var spec = Json("""{ "apiVersion": "trainingworkers/v1", "name": "bad", "data": { "train": "x" }, "training": { "learning_rate": -0.1, "batch_size": 0 } }""");

        var e = Assert.Throws<InvalidSpecException>(() => JobSubmission.Prepare(spec, "j", validate: true));
        var unvalidated = JobSubmission.Prepare(spec, "j", validate: false);

        Assert.Contains(e.Errors, x => x.Path == "training.learning_rate");
        Assert.Contains(e.Errors, x => x.Path == "training.batch_size");
        Assert.Equal("j", unvalidated.JobId);
    }

    [Theory]
    [InlineData("no spaces")]
    [InlineData("-starts-with-dash")]
    [InlineData("")]
    public void Prepare_BadJobId_InputErrorOnTheJobIdField(string jobId)
    {
        var e = Assert.Throws<JobInputException>(() => JobSubmission.Prepare(Valid, jobId, validate: false));

        Assert.Equal("job_id", e.Field);
        Assert.StartsWith($"must be {JobMessage.JobIdRule}", e.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_MessageOverTheQueueLimit_InputErrorOnTheWholeSpec()
    {
        var spec = Json($$"""{ "name": "big", "blob": "{{new string('x', JobMessage.MaxBytes)}}" }""");

        var e = Assert.Throws<JobInputException>(() => JobSubmission.Prepare(spec, "big", validate: false));

        Assert.Equal("$", e.Field);
        Assert.Contains($"the queue takes at most {JobMessage.MaxBytes}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewJobId_FromTheSpecName_SanitizedStampedAndAValidId()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 11, 29, 13, 4, 5, TimeSpan.Zero));

        var id = JobSubmission.NewJobId(Json("""{ "name": "fashion cnn/v2" }"""), time);
        var unnamed = JobSubmission.NewJobId(Json("""{ "name": "///" }"""), time);
        var generated = JobSubmission.Prepare(Valid, jobId: null, validate: false, time);

        Assert.Matches(new Regex("^fashion-cnn-v2-20261129-130405-[0-9a-f]{6}$"), id);
        Assert.Matches(new Regex("^job-20261129-130405-[0-9a-f]{6}$"), unnamed);
        Assert.StartsWith("fashion-cnn-20261129-130405-", generated.JobId, StringComparison.Ordinal);
        Assert.True(JobMessage.IsValidJobId(JobSubmission.NewJobId(Json($$"""{ "name": "{{new string('a', 300)}}" }"""), time)));
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class KnownFailure(string message, FailureKind kind) : Exception(message), IKnowsFailureKind
    {
        public FailureKind FailureKind => kind;
    }
}
