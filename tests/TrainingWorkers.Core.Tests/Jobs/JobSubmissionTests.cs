using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Core.Tests.Jobs;

public sealed class JobSubmissionTests
{
    private static readonly JsonElement Valid = Json("""
        { "apiVersion": "trainingworkers/v1", "name": "fashion-cnn", "data": { "train": "fashion-mnist" }, "training": { "epochs": 2 } }
        """);

    private readonly RecordingStore _store = new();
    private readonly RecordingQueue _queue = new();

    [Fact]
    public async Task Submit_NewJob_RecordedAsQueuedBeforeItsMessageIsSent()
    {
        _queue.OnSubmit = job => Assert.True(_store.Records.ContainsKey(job.JobId), "the message went out before the record existed");
        var job = JobSubmission.Prepare(Valid, "job-1", validate: true);

        var submitted = await new JobSubmission(_store, _queue).SubmitAsync(job, CancellationToken.None);

        Assert.Equal(new SubmittedJob("job-1", "m-1"), submitted);
        Assert.Equal(JobStatus.Queued, _store.Records["job-1"].Status);
        Assert.Equal(Valid.GetRawText(), _store.Records["job-1"].SpecJson);
        Assert.Equal("job-1", Assert.Single(_queue.Sent).JobId);
    }

    [Fact]
    public async Task Submit_IdTaken_JobExistsAndNothingQueued()
    {
        _store.Records["job-1"] = (JobStatus.Running, "{}");

        var e = await Assert.ThrowsAsync<JobExistsException>(
            () => new JobSubmission(_store, _queue).SubmitAsync(JobSubmission.Prepare(Valid, "job-1", validate: false), CancellationToken.None));

        Assert.Equal(("job_id", "job-1"), (e.Field, e.JobId));
        Assert.Equal(FailureKind.InvalidInput, JobFailure.From(e).Kind);
        Assert.Empty(_queue.Sent);
        Assert.Equal(JobStatus.Running, _store.Records["job-1"].Status);
    }

    [Fact]
    public async Task Submit_QueueRefuses_RecordCancelledAndTheCauseKeptWithItsKind()
    {
        var cause = new KnownFailure("sqs SendMessage failed: AccessDenied", FailureKind.Fatal);
        _queue.Failure = cause;

        var e = await Assert.ThrowsAsync<JobNotQueuedException>(
            () => new JobSubmission(_store, _queue).SubmitAsync(JobSubmission.Prepare(Valid, "job-2", validate: false), CancellationToken.None));

        Assert.Same(cause, e.InnerException);
        Assert.Null(e.CancelFailure);
        Assert.Equal(JobStatus.Cancelled, _store.Records["job-2"].Status);
        Assert.Equal("sqs SendMessage failed: AccessDenied; the job was recorded but not queued, and its record job-2 is now Cancelled", e.Message);
        // A fatal queue (access denied, queue gone) stays fatal for whoever submits: the coordinator stops on it.
        Assert.Equal(FailureKind.Fatal, JobFailure.From(e).Kind);
    }

    [Fact]
    public async Task Submit_QueueAndCancelBothFail_RecordStaysQueuedAndSaysWhy()
    {
        _queue.Failure = new IOException("network down");
        _store.CancelFailure = new IOException("table unreachable");

        var e = await Assert.ThrowsAsync<JobNotQueuedException>(
            () => new JobSubmission(_store, _queue).SubmitAsync(JobSubmission.Prepare(Valid, "job-3", validate: false), CancellationToken.None));

        Assert.Same(_store.CancelFailure, e.CancelFailure);
        Assert.Equal(JobStatus.Queued, _store.Records["job-3"].Status);
        Assert.EndsWith("its record job-3 stays Queued (cancelling it failed: table unreachable)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_CallerCancelsWhileSending_CancellationPassesAndTheRecordIsLeftAlone()
    {
        using var cancel = new CancellationTokenSource();
        _queue.OnSubmit = _ =>
        {
            cancel.Cancel();
            cancel.Token.ThrowIfCancellationRequested();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new JobSubmission(_store, _queue).SubmitAsync(JobSubmission.Prepare(Valid, "job-4", validate: false), cancel.Token));

        // Whether the message went out is unknown: a worker that receives it runs the job.
        Assert.Equal(JobStatus.Queued, _store.Records["job-4"].Status);
        Assert.Equal(0, _store.CancelRequests);
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

    /// <summary>The queue as submission sees it: records what is sent, or fails as told.</summary>
    private sealed class RecordingQueue : IJobQueue
    {
        public List<JobMessage> Sent { get; } = [];
        public Exception? Failure { get; set; }
        public Action<JobMessage>? OnSubmit { get; set; }

        public Task<string> SubmitAsync(JobMessage job, CancellationToken cancellationToken)
        {
            OnSubmit?.Invoke(job);
            if (Failure is not null) throw Failure;
            Sent.Add(job);
            return Task.FromResult($"m-{Sent.Count}");
        }

        public Task<IReadOnlyList<ReceivedJob>> ReceiveAsync(int maxJobs, TimeSpan wait, TimeSpan visibility, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ExtendAsync(ReceivedJob job, TimeSpan visibility, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ReleaseAsync(ReceivedJob job, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task CompleteAsync(ReceivedJob job, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task DeadLetterAsync(ReceivedJob job, string reason, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<QueueDepth> GetDepthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<QueuePolicy> GetPolicyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>The job store as submission sees it: creates records, cancels queued ones, or fails to as told.</summary>
    private sealed class RecordingStore : IJobStore
    {
        public Dictionary<string, (JobStatus Status, string SpecJson)> Records { get; } = [];
        public Exception? CancelFailure { get; set; }
        public int CancelRequests { get; private set; }

        public Task<bool> CreateAsync(string jobId, string specJson, CancellationToken cancellationToken) =>
            Task.FromResult(Records.TryAdd(jobId, (JobStatus.Queued, specJson)));

        public Task<JobStatus?> RequestCancelAsync(string jobId, CancellationToken cancellationToken)
        {
            CancelRequests++;
            if (CancelFailure is not null) throw CancelFailure;
            if (!Records.TryGetValue(jobId, out var record)) return Task.FromResult<JobStatus?>(null);
            if (record.Status == JobStatus.Queued) Records[jobId] = (JobStatus.Cancelled, record.SpecJson);
            return Task.FromResult<JobStatus?>(Records[jobId].Status);
        }

        public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<JobLease?> TryClaimAsync(string jobId, string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<JobLease> HeartbeatAsync(JobLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RecordCheckpointAsync(JobLease lease, string checkpointId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task FinishAsync(JobLease lease, JobStatus status, JobOutcome outcome, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RecordProgressAsync(JobLease lease, JobProgress progress, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<JobRecord>> ListAsync(int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<JobStatusChange>> GetHistoryAsync(string jobId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RecordEpochAsync(JobLease lease, int epoch, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<EpochMetrics>> GetEpochsAsync(string jobId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
