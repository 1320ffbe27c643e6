using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Studies;
using static TrainingWorkers.Aws.DynamoDb.JobItem;
using static TrainingWorkers.Aws.DynamoDb.StudyItem;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// Studies in the jobs table (see <see cref="StudyItem"/>), with the jobs' discipline: every write is conditional on
/// the study's fencing token, and a status change is one transaction with its history entry and its index entry.
/// </summary>
internal sealed class DynamoStudyStore(IAmazonDynamoDB dynamo, string table, TimeProvider time) : IStudyStore
{
    private const string HeldByCaller = "fencing_token = :token AND lease_owner = :owner AND #status = :running";
    private const int MaxStateBytes = 350_000;

    public async Task<bool> CreateAsync(string studyId, string kind, string name, string requestJson, CancellationToken cancellationToken)
    {
        var now = N(time.GetUtcNow().ToUnixTimeMilliseconds());
        var record = RecordKey(studyId);
        record["study_id"] = S(studyId);
        record["kind"] = S(kind);
        record["name"] = S(name);
        record["request"] = S(requestJson);
        record["status"] = S(nameof(StudyStatus.Queued));
        record["fencing_token"] = N(0L);
        record["claims"] = N(0L);
        record["created_at"] = now;
        record["updated_at"] = now;
        var index = IndexKey(studyId);
        foreach (var field in new[] { "study_id", "kind", "name", "status", "created_at", "updated_at" }) index[field] = record[field];
        return await ConditionalWrites.TryTransactAsync(dynamo, "CreateStudy",
        [
            new() { Put = new Put { TableName = table, Item = record, ConditionExpression = "attribute_not_exists(pk)" } },
            new() { Put = new Put { TableName = table, Item = index } },
            new() { Put = new Put { TableName = table, Item = History(studyId, StudyStatus.Queued, time.GetUtcNow(), null, 0, "submitted") } },
        ], cancellationToken).ConfigureAwait(false);
    }

    public async Task<StudyRecord?> GetAsync(string studyId, CancellationToken cancellationToken)
    {
        var response = await SdkCall.RunAsync("dynamodb", "GetStudy", () => dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = table, Key = RecordKey(studyId), ConsistentRead = true,
        }, cancellationToken)).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? ToStudy(item) : null;
    }

    public async Task<IReadOnlyList<StudySummary>> ListAsync(int limit, CancellationToken cancellationToken) =>
        (await IndexAsync(null, cancellationToken).ConfigureAwait(false)).OrderByDescending(s => s.CreatedAt).ThenBy(s => s.StudyId, StringComparer.Ordinal).Take(limit).ToList();

    public async Task<IReadOnlyList<StudySummary>> ListOpenAsync(CancellationToken cancellationToken) =>
        (await IndexAsync("#status IN (:queued, :running)", cancellationToken).ConfigureAwait(false)).OrderBy(s => s.CreatedAt).ToList();

    public async Task<StudyLease?> TryClaimAsync(string studyId, string ownerId, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var observed = await GetAsync(studyId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (observed is null || !(observed.Status == StudyStatus.Queued || (observed.Status == StudyStatus.Running && observed.LeaseExpiresAt <= now))) return null;
        var lease = new StudyLease(studyId, ownerId, observed.FencingToken + 1, now + leaseDuration);
        var claim = new Update
        {
            TableName = table, Key = RecordKey(studyId),
            ConditionExpression = "fencing_token = :observed AND (#status = :queued OR (#status = :running AND lease_expires_at <= :now))",
            UpdateExpression = "SET #status = :running, lease_owner = :owner, lease_expires_at = :expires, fencing_token = :token, claims = claims + :one, updated_at = :now",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = new()
            {
                [":observed"] = N(observed.FencingToken), [":token"] = N(lease.FencingToken), [":owner"] = S(ownerId),
                [":queued"] = S(nameof(StudyStatus.Queued)), [":running"] = S(nameof(StudyStatus.Running)),
                [":now"] = N(now.ToUnixTimeMilliseconds()), [":expires"] = N(lease.ExpiresAt.ToUnixTimeMilliseconds()), [":one"] = N(1L),
            },
        };
        var reason = observed.Status == StudyStatus.Running ? $"lease taken over from {observed.LeaseOwner}" : "claimed";
        var written = await ConditionalWrites.TryTransactAsync(dynamo, "ClaimStudy",
        [
            new() { Update = claim },
            new() { Update = IndexStatus(table, studyId, StudyStatus.Running, now) },
            new() { Put = new Put { TableName = table, Item = History(studyId, StudyStatus.Running, now, ownerId, lease.FencingToken, reason) } },
        ], cancellationToken).ConfigureAwait(false);
        return written ? lease : null;
    }

    public async Task<StudyLease> HeartbeatAsync(StudyLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var renewed = lease with { ExpiresAt = time.GetUtcNow() + leaseDuration };
        await UpdateHeldAsync(lease, "HeartbeatStudy", "SET lease_expires_at = :expires, updated_at = :now",
            new() { [":expires"] = N(renewed.ExpiresAt.ToUnixTimeMilliseconds()) }, cancellationToken).ConfigureAwait(false);
        return renewed;
    }

    public Task SaveStateAsync(StudyLease lease, string stateJson, CancellationToken cancellationToken)
    {
        if (stateJson.Length > MaxStateBytes) throw new InvalidOperationException($"study {lease.StudyId}: its state is {stateJson.Length} characters, over the {MaxStateBytes} a record holds");
        return UpdateHeldAsync(lease, "SaveStudyState", "SET #state = :state, updated_at = :now", new() { [":state"] = S(stateJson) }, cancellationToken, ("#state", "state"));
    }

    public async Task ReleaseAsync(StudyLease lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var update = Held(lease, "SET lease_expires_at = :now, updated_at = :now", new());
        await WriteHeldAsync(lease, "ReleaseStudy",
            [new() { Update = update }, new() { Put = new Put { TableName = table, Item = History(lease.StudyId, StudyStatus.Running, now, lease.OwnerId, lease.FencingToken, "released: the coordinator stopped") } }],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task FinishAsync(StudyLease lease, StudyStatus status, string? resultJson, string? error, CancellationToken cancellationToken)
    {
        if (!status.IsTerminal()) throw new ArgumentException("a study is finished with a terminal status", nameof(status));
        var values = new Dictionary<string, AttributeValue> { [":new_status"] = S(status.ToString()) };
        var set = "SET #status = :new_status, updated_at = :now";
        if (resultJson is not null) (values[":result"], set) = (S(resultJson), set + ", #result = :result");
        if (error is not null) (values[":error"], set) = (S(error), set + ", #error = :error");
        var update = Held(lease, set + " REMOVE lease_owner, lease_expires_at", values);
        update.ExpressionAttributeNames["#result"] = "result";
        update.ExpressionAttributeNames["#error"] = "error";
        if (resultJson is null) update.ExpressionAttributeNames.Remove("#result");
        if (error is null) update.ExpressionAttributeNames.Remove("#error");
        var now = time.GetUtcNow();
        await WriteHeldAsync(lease, "FinishStudy",
        [
            new() { Update = update },
            new() { Update = IndexStatus(table, lease.StudyId, status, now) },
            new() { Put = new Put { TableName = table, Item = History(lease.StudyId, status, now, lease.OwnerId, lease.FencingToken, error) } },
        ], cancellationToken).ConfigureAwait(false);
    }

    public async Task<StudyStatus?> RequestCancelAsync(string studyId, CancellationToken cancellationToken)
    {
        // A claim can land between the read and the write: the write's condition then fails and the study is read again.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var study = await GetAsync(studyId, cancellationToken).ConfigureAwait(false);
            if (study is null) return null;
            if (study.Status.IsTerminal() || (study.Status == StudyStatus.Running && study.CancelRequested)) return study.Status;
            var now = time.GetUtcNow();
            var update = new Update
            {
                TableName = table, Key = RecordKey(studyId), ConditionExpression = "fencing_token = :observed AND #status = :status",
                ExpressionAttributeNames = new() { ["#status"] = "status" },
                ExpressionAttributeValues = new()
                {
                    [":observed"] = N(study.FencingToken), [":status"] = S(study.Status.ToString()), [":true"] = new AttributeValue { BOOL = true },
                    [":now"] = N(now.ToUnixTimeMilliseconds()),
                },
            };
            if (study.Status == StudyStatus.Queued)
            {
                // Never claimed, so it has no jobs: it ends here.
                update.ExpressionAttributeValues[":cancelled"] = S(nameof(StudyStatus.Cancelled));
                update.UpdateExpression = "SET #status = :cancelled, cancel_requested = :true, updated_at = :now";
                if (await ConditionalWrites.TryTransactAsync(dynamo, "CancelStudy",
                    [
                        new() { Update = update }, new() { Update = IndexStatus(table, studyId, StudyStatus.Cancelled, now) },
                        new() { Put = new Put { TableName = table, Item = History(studyId, StudyStatus.Cancelled, now, null, study.FencingToken, "cancelled before it started") } },
                    ], cancellationToken).ConfigureAwait(false))
                {
                    return StudyStatus.Cancelled;
                }
            }
            else
            {
                update.UpdateExpression = "SET cancel_requested = :true, updated_at = :now";
                if (await ConditionalWrites.TryUpdateAsync(dynamo, "RequestStudyCancel", update, cancellationToken).ConfigureAwait(false)) return StudyStatus.Running;
            }
        }

        throw new InvalidOperationException($"study {studyId} changed under every one of 5 cancel attempts");
    }

    public async Task<IReadOnlyList<StudyStatusChange>> GetHistoryAsync(string studyId, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = table, ConsistentRead = true, KeyConditionExpression = "pk = :pk AND begins_with(sk, :h)",
            ExpressionAttributeValues = new() { [":pk"] = S(PkFor(studyId)), [":h"] = S(HistoryPrefix) },
        };
        return (await ConditionalWrites.QueryAllAsync(dynamo, "GetStudyHistory", request, cancellationToken).ConfigureAwait(false)).Select(ToStudyChange).ToList();
    }

    private async Task<List<StudySummary>> IndexAsync(string? filter, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = table, ConsistentRead = true, KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = S(IndexPk) },
        };
        if (filter is not null)
        {
            request.FilterExpression = filter;
            request.ExpressionAttributeNames = new() { ["#status"] = "status" };
            request.ExpressionAttributeValues[":queued"] = S(nameof(StudyStatus.Queued));
            request.ExpressionAttributeValues[":running"] = S(nameof(StudyStatus.Running));
        }

        return (await ConditionalWrites.QueryAllAsync(dynamo, "ListStudies", request, cancellationToken).ConfigureAwait(false)).Select(ToSummary).ToList();
    }

    private async Task UpdateHeldAsync(StudyLease lease, string operation, string set, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken,
        (string Name, string Attribute)? alias = null)
    {
        var update = Held(lease, set, values);
        if (alias is { } a) update.ExpressionAttributeNames[a.Name] = a.Attribute;
        if (!await ConditionalWrites.TryUpdateAsync(dynamo, operation, update, cancellationToken).ConfigureAwait(false)) throw Lost(lease);
    }

    private async Task WriteHeldAsync(StudyLease lease, string operation, TransactWriteItem[] items, CancellationToken cancellationToken)
    {
        if (!await ConditionalWrites.TryTransactAsync(dynamo, operation, items, cancellationToken).ConfigureAwait(false)) throw Lost(lease);
    }

    private Update Held(StudyLease lease, string expression, Dictionary<string, AttributeValue> values)
    {
        values[":token"] = N(lease.FencingToken);
        values[":owner"] = S(lease.OwnerId);
        values[":running"] = S(nameof(StudyStatus.Running));
        values[":now"] = N(time.GetUtcNow().ToUnixTimeMilliseconds());
        return new Update
        {
            TableName = table, Key = RecordKey(lease.StudyId), ConditionExpression = HeldByCaller, UpdateExpression = expression,
            ExpressionAttributeNames = new() { ["#status"] = "status" }, ExpressionAttributeValues = values,
        };
    }

    private static StudyLeaseLostException Lost(StudyLease lease) =>
        new(lease.StudyId, lease.FencingToken, "another coordinator claimed the study or it was finished");
}
