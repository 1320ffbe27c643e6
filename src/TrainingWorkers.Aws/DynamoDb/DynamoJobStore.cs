using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Jobs;
using static TrainingWorkers.Aws.DynamoDb.JobItem;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// Job records and status history in DynamoDB. Every change is a conditional write on the job's fencing
/// token, and changes of status are written in one transaction with their history entry.
/// </summary>
internal sealed partial class DynamoJobStore : IJobStore
{
    private const string HeldByCaller = "fencing_token = :token AND lease_owner = :worker AND #status = :running";
    private readonly IAmazonDynamoDB _dynamo;
    private readonly string _table;
    private readonly TimeProvider _time;

    public DynamoJobStore(IAmazonDynamoDB dynamo, string tableName, TimeProvider time)
    {
        _dynamo = dynamo;
        _table = tableName;
        _time = time;
    }

    public async Task<bool> CreateAsync(string jobId, string specJson, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var item = Key(jobId);
        item["job_id"] = S(jobId);
        item["spec"] = S(specJson);
        item["status"] = S(nameof(JobStatus.Queued));
        item["attempts"] = N(0L);
        item["fencing_token"] = N(0L);
        item["created_at"] = N(now.ToUnixTimeMilliseconds());
        item["updated_at"] = N(now.ToUnixTimeMilliseconds());
        var put = new Put { TableName = _table, Item = item, ConditionExpression = "attribute_not_exists(pk)" };
        return await TryTransactAsync("CreateJob", put, History(jobId, JobStatus.Queued, now, null, 0, "submitted"), cancellationToken).ConfigureAwait(false);
    }

    public async Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var response = await SdkCall.RunAsync("dynamodb", "GetItem", () => _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _table, Key = Key(jobId), ConsistentRead = true,
        }, cancellationToken)).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? ToRecord(item) : null;
    }

    public async Task<JobLease?> TryClaimAsync(string jobId, string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var observed = await GetAsync(jobId, cancellationToken).ConfigureAwait(false);
        return observed is null ? null : await TryClaimFromAsync(observed, workerId, leaseDuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims the job as last seen in <paramref name="observed"/>: the write succeeds only if the fencing token
    /// is still the one observed, so of workers racing from the same observation exactly one wins.
    /// </summary>
    internal async Task<JobLease?> TryClaimFromAsync(JobRecord observed, string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var claimable = observed.Status == JobStatus.Queued || (observed.Status == JobStatus.Running && observed.LeaseExpiresAt <= now);
        if (!claimable) return null;
        var lease = new JobLease(observed.JobId, workerId, observed.FencingToken + 1, now + leaseDuration);
        var update = new Update
        {
            TableName = _table,
            Key = Key(observed.JobId),
            ConditionExpression = "fencing_token = :observed AND (#status = :queued OR (#status = :running AND lease_expires_at <= :now))",
            UpdateExpression = "SET #status = :running, lease_owner = :worker, lease_expires_at = :expires, fencing_token = :token, " +
                "attempts = attempts + :one, updated_at = :now",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = new()
            {
                [":observed"] = N(observed.FencingToken), [":token"] = N(lease.FencingToken), [":worker"] = S(workerId),
                [":queued"] = S(nameof(JobStatus.Queued)), [":running"] = S(nameof(JobStatus.Running)),
                [":now"] = N(now.ToUnixTimeMilliseconds()), [":expires"] = N(lease.ExpiresAt.ToUnixTimeMilliseconds()), [":one"] = N(1L),
            },
        };
        var history = History(observed.JobId, JobStatus.Running, now, workerId, lease.FencingToken, observed.Status == JobStatus.Running ? "lease taken over" : "claimed");
        return await TryTransactAsync("ClaimJob", update, history, cancellationToken).ConfigureAwait(false) ? lease : null;
    }

    public async Task<JobLease> HeartbeatAsync(JobLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var renewed = lease with { ExpiresAt = _time.GetUtcNow() + leaseDuration };
        await UpdateHeldAsync(lease, "Heartbeat", "SET lease_expires_at = :expires, updated_at = :now",
            new() { [":expires"] = N(renewed.ExpiresAt.ToUnixTimeMilliseconds()) }, cancellationToken).ConfigureAwait(false);
        return renewed;
    }

    public Task RecordCheckpointAsync(JobLease lease, string checkpointId, CancellationToken cancellationToken) =>
        UpdateHeldAsync(lease, "RecordCheckpoint", "SET latest_checkpoint = :checkpoint, updated_at = :now",
            new() { [":checkpoint"] = S(checkpointId) }, cancellationToken);

    public Task RecordProgressAsync(JobLease lease, JobProgress progress, CancellationToken cancellationToken) =>
        UpdateHeldAsync(lease, "RecordProgress", "SET progress = :progress, updated_at = :now",
            new() { [":progress"] = S(JsonSerializer.Serialize(progress, ProgressJson)) }, cancellationToken);

    public async Task<JobStatus?> RequestCancelAsync(string jobId, CancellationToken cancellationToken)
    {
        // A claim can land between the read and the write: the write's condition then fails and the job is read again.
        for (var attempt = 0; ; attempt++)
        {
            var job = await GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (job is null) return null;
            if (job.Status.IsTerminal() || (job.Status == JobStatus.Running && job.CancelRequested)) return job.Status;
            var now = _time.GetUtcNow();
            var values = new Dictionary<string, AttributeValue>
            {
                [":observed"] = N(job.FencingToken), [":status"] = S(job.Status.ToString()), [":true"] = new AttributeValue { BOOL = true },
                [":now"] = N(now.ToUnixTimeMilliseconds()),
            };
            var update = new Update
            {
                TableName = _table, Key = Key(jobId), ConditionExpression = "fencing_token = :observed AND #status = :status",
                ExpressionAttributeNames = new() { ["#status"] = "status" }, ExpressionAttributeValues = values,
            };
            bool written;
            if (job.Status == JobStatus.Queued)
            {
                // Nobody works on it: it ends here, and whichever worker receives its message deletes it.
                values[":cancelled"] = S(nameof(JobStatus.Cancelled));
                update.UpdateExpression = "SET #status = :cancelled, cancel_requested = :true, updated_at = :now";
                written = await TryTransactAsync("CancelJob", update,
                    History(jobId, JobStatus.Cancelled, now, null, job.FencingToken, "cancelled before it started"), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                update.UpdateExpression = "SET cancel_requested = :true, updated_at = :now";
                written = await TryUpdateAsync("RequestCancel", update, cancellationToken).ConfigureAwait(false);
            }

            if (written) return job.Status == JobStatus.Queued ? JobStatus.Cancelled : JobStatus.Running;
            if (attempt == 4) throw new InvalidOperationException($"job {jobId} changed under every one of 5 cancel attempts");
        }
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        // A scan reads the history items too; fine for a team's table, a GSI on created_at is the next step at scale.
        var jobs = new List<JobRecord>();
        var request = new ScanRequest
        {
            TableName = _table, ConsistentRead = true, FilterExpression = "sk = :job",
            ExpressionAttributeValues = new() { [":job"] = S(RecordSk) },
        };
        do
        {
            var page = await SdkCall.RunAsync("dynamodb", "Scan", () => _dynamo.ScanAsync(request, cancellationToken)).ConfigureAwait(false);
            jobs.AddRange((page.Items ?? []).Select(ToRecord));
            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });
        return jobs.OrderByDescending(j => j.CreatedAt).ThenBy(j => j.JobId, StringComparer.Ordinal).Take(limit).ToList();
    }

    public async Task FinishAsync(JobLease lease, JobStatus status, JobOutcome outcome, CancellationToken cancellationToken)
    {
        if (status == JobStatus.Running) throw new ArgumentException("a job is finished with a terminal status or given back as Queued", nameof(status));
        var values = new Dictionary<string, AttributeValue> { [":new_status"] = S(status.ToString()) };
        var set = "SET #status = :new_status, updated_at = :now";
        if (outcome.FinalMetrics.Count > 0)
        {
            // DynamoDB numbers have no NaN or infinity: an undefined metric (an AUC with one class present) is left out.
            values[":metrics"] = new AttributeValue { M = outcome.FinalMetrics.Where(kv => double.IsFinite(kv.Value)).ToDictionary(kv => kv.Key, kv => N(kv.Value)) };
            set += ", final_metrics = :metrics";
        }

        if (outcome.ModelUri is not null) (values[":model"], set) = (S(outcome.ModelUri), set + ", model_uri = :model");
        if (outcome.FailedAttempt) (values[":zero"], values[":one"], set) = (N(0L), N(1L), set + ", failed_attempts = if_not_exists(failed_attempts, :zero) + :one");
        if (outcome.Error is not null) (values[":error"], set) = (S(outcome.Error), set + ", #error = :error");
        // A success clears the error an earlier attempt left.
        var remove = " REMOVE lease_owner, lease_expires_at" + (outcome.Error is null && status == JobStatus.Succeeded ? ", #error" : "");
        var update = HeldUpdate(lease, set + remove, values);
        if (outcome.Error is not null || status == JobStatus.Succeeded) update.ExpressionAttributeNames["#error"] = "error";
        var history = History(lease.JobId, status, _time.GetUtcNow(), lease.WorkerId, lease.FencingToken, outcome.Error);
        if (!await TryTransactAsync("FinishJob", update, history, cancellationToken).ConfigureAwait(false))
        {
            throw new LeaseLostException(lease.JobId, lease.FencingToken, "another worker claimed the job or it was finished");
        }
    }

    public async Task<IReadOnlyList<JobStatusChange>> GetHistoryAsync(string jobId, CancellationToken cancellationToken)
    {
        var changes = new List<JobStatusChange>();
        var request = new QueryRequest
        {
            TableName = _table,
            ConsistentRead = true,
            KeyConditionExpression = "pk = :pk AND begins_with(sk, :h)",
            ExpressionAttributeValues = new() { [":pk"] = S(PkOf(jobId)), [":h"] = S(HistoryPrefix) },
        };
        do
        {
            var page = await SdkCall.RunAsync("dynamodb", "Query", () => _dynamo.QueryAsync(request, cancellationToken)).ConfigureAwait(false);
            changes.AddRange((page.Items ?? []).Select(ToChange));
            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });
        return changes;
    }

    private Task<bool> TryUpdateAsync(string operation, Update update, CancellationToken cancellationToken)
    {
        update.TableName ??= _table;
        return ConditionalWrites.TryUpdateAsync(_dynamo, operation, update, cancellationToken);
    }

    private async Task UpdateHeldAsync(JobLease lease, string operation, string set, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        if (!await TryUpdateAsync(operation, HeldUpdate(lease, set, values), cancellationToken).ConfigureAwait(false))
        {
            throw new LeaseLostException(lease.JobId, lease.FencingToken, "another worker claimed the job or it was finished");
        }
    }

    private Update HeldUpdate(JobLease lease, string expression, Dictionary<string, AttributeValue> values)
    {
        values[":token"] = N(lease.FencingToken);
        values[":worker"] = S(lease.WorkerId);
        values[":running"] = S(nameof(JobStatus.Running));
        values[":now"] = N(_time.GetUtcNow().ToUnixTimeMilliseconds());
        return new Update
        {
            TableName = _table, Key = Key(lease.JobId), ConditionExpression = HeldByCaller, UpdateExpression = expression,
            ExpressionAttributeNames = new() { ["#status"] = "status" }, ExpressionAttributeValues = values,
        };
    }

    // Writes the change and its history entry together; false when the change's condition failed.
    private Task<bool> TryTransactAsync(string operation, object change, Dictionary<string, AttributeValue> history, CancellationToken cancellationToken)
    {
        var first = change switch
        {
            Put put => new TransactWriteItem { Put = put },
            Update update => new TransactWriteItem { Update = update },
            _ => throw new ArgumentException("a Put or an Update", nameof(change)),
        };
        return ConditionalWrites.TryTransactAsync(_dynamo, operation, [first, new TransactWriteItem { Put = new Put { TableName = _table, Item = history } }], cancellationToken);
    }
}
