using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using static TrainingWorkers.Aws.DynamoDb.JobItem;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// Gangs in the jobs table (<see cref="GangItem"/>, <see cref="WorkerItem"/>). The claim of a multi-node job is one
/// TransactWriteItems: the job's conditional claim with the gang published in it, its history entry, and a conditional
/// reservation on every member's registration. DynamoDB applies all of it or none, so two gangs short of workers can
/// never each hold part of the fleet.
/// </summary>
internal sealed class DynamoGangStore(IAmazonDynamoDB dynamo, string table, TimeProvider time) : IGangStore
{
    private const int LeaderItem = 2;

    public async Task<GangFormation> TryFormAsync(JobRecord observed, Gang gang, TimeSpan leaseDuration, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claimable = observed.Status == JobStatus.Queued || (observed.Status == JobStatus.Running && observed.LeaseExpiresAt <= now);
        if (!claimable) return GangFormation.Refused(GangConflict.JobTaken);
        var formed = gang with { FencingToken = observed.FencingToken + 1, FormedAt = now };
        var lease = new JobLease(observed.JobId, formed.Members[0], formed.FencingToken, now + leaseDuration);
        var claim = new Update
        {
            TableName = table, Key = Key(observed.JobId),
            ConditionExpression = "fencing_token = :observed AND (#status = :queued OR (#status = :running AND lease_expires_at <= :now))",
            UpdateExpression = "SET #status = :running, lease_owner = :worker, lease_expires_at = :expires, fencing_token = :token, " +
                "attempts = attempts + :one, updated_at = :now, gang = :gang REMOVE handoff_requested",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = new()
            {
                [":observed"] = N(observed.FencingToken), [":token"] = N(lease.FencingToken), [":worker"] = S(lease.WorkerId),
                [":queued"] = S(nameof(JobStatus.Queued)), [":running"] = S(nameof(JobStatus.Running)), [":now"] = N(now.ToUnixTimeMilliseconds()),
                [":expires"] = N(lease.ExpiresAt.ToUnixTimeMilliseconds()), [":one"] = N(1L), [":gang"] = GangItem.ToValue(formed),
            },
        };
        var why = $"{(observed.Status == JobStatus.Running ? "lease taken over" : "claimed")} by a gang of {formed.Nodes}: " +
            string.Join(", ", formed.Members.Select((w, i) => $"node {i} {w}"));
        var items = new List<TransactWriteItem>
        {
            new() { Update = claim },
            new() { Put = new Put { TableName = table, Item = History(observed.JobId, JobStatus.Running, now, lease.WorkerId, lease.FencingToken, why) } },
        };
        items.AddRange(formed.Members.Select((worker, node) => new TransactWriteItem { Update = Reserve(worker, observed.JobId, formed.FencingToken, node, now, now - staleAfter) }));
        var failed = await TransactAsync("FormGang", items, cancellationToken).ConfigureAwait(false);
        return failed switch
        {
            null => new GangFormation(lease, formed, GangConflict.None),
            0 => GangFormation.Refused(GangConflict.JobTaken),
            LeaderItem => GangFormation.Refused(GangConflict.LeaderTaken),
            _ => GangFormation.Refused(GangConflict.PeerTaken),
        };
    }

    public async Task<GangNode?> JoinAsync(string jobId, int node, string workerId, long fencingToken, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var lease = new GangNode(jobId, node, workerId, fencingToken, time.GetUtcNow() + leaseDuration);
        TransactWriteItem[] items =
        [
            new()
            {
                ConditionCheck = new ConditionCheck
                {
                    TableName = table, Key = Key(jobId), ConditionExpression = "#status = :running AND fencing_token = :token",
                    ExpressionAttributeNames = new() { ["#status"] = "status" },
                    ExpressionAttributeValues = new() { [":running"] = S(nameof(JobStatus.Running)), [":token"] = N(fencingToken) },
                },
            },
            new()
            {
                Put = new Put
                {
                    TableName = table, Item = GangItem.ToItem(lease), ConditionExpression = "attribute_not_exists(pk) OR fencing_token < :token",
                    ExpressionAttributeValues = new() { [":token"] = N(fencingToken) },
                },
            },
        ];
        return await TransactAsync("JoinGang", items, cancellationToken).ConfigureAwait(false) is null ? lease : null;
    }

    public async Task<GangNode> RenewAsync(GangNode lease, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var renewed = lease with { ExpiresAt = time.GetUtcNow() + leaseDuration };
        var update = NodeUpdate(lease, "SET expires_at = :expires", new() { [":expires"] = N(renewed.ExpiresAt.ToUnixTimeMilliseconds()) });
        update.ConditionExpression += " AND attribute_not_exists(ended_at)";
        if (!await ConditionalWrites.TryUpdateAsync(dynamo, "RenewNodeLease", update, cancellationToken).ConfigureAwait(false))
        {
            throw new LeaseLostException(lease.JobId, lease.FencingToken, $"node {lease.Node}'s lease is held by a newer gang");
        }

        return renewed;
    }

    public async Task EndAsync(GangNode lease, string? error, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, AttributeValue> { [":ended"] = N(time.GetUtcNow().ToUnixTimeMilliseconds()) };
        var set = "SET ended_at = :ended";
        if (error is not null) (values[":error"], set) = (S(error), set + ", #error = :error");
        var update = NodeUpdate(lease, set, values);
        if (error is not null) update.ExpressionAttributeNames = new() { ["#error"] = "error" };
        // A newer gang holds the node: this one's end is of no interest to it.
        await ConditionalWrites.TryUpdateAsync(dynamo, "EndNodeLease", update, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<GangNode>> GetNodesAsync(string jobId, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = table, ConsistentRead = true, KeyConditionExpression = "pk = :pk AND begins_with(sk, :node)",
            ExpressionAttributeValues = new() { [":pk"] = S(PkOf(jobId)), [":node"] = S(GangItem.NodePrefix) },
        };
        var items = await ConditionalWrites.QueryAllAsync(dynamo, "GetGangNodes", request, cancellationToken).ConfigureAwait(false);
        return items.Select(i => GangItem.ToNode(jobId, i)).OrderBy(n => n.Node).ToList();
    }

    public Task<bool> RequestHandOffAsync(string jobId, long fencingToken, string reason, CancellationToken cancellationToken) =>
        ConditionalWrites.TryUpdateAsync(dynamo, "RequestHandOff", new Update
        {
            TableName = table, Key = Key(jobId), ConditionExpression = "#status = :running AND fencing_token = :token",
            UpdateExpression = "SET handoff_requested = :reason, updated_at = :now",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = new()
            {
                [":running"] = S(nameof(JobStatus.Running)), [":token"] = N(fencingToken), [":reason"] = S(reason),
                [":now"] = N(time.GetUtcNow().ToUnixTimeMilliseconds()),
            },
        }, cancellationToken);

    private Update Reserve(string workerId, string jobId, long token, int node, DateTimeOffset now, DateTimeOffset freshSince) => new()
    {
        TableName = table, Key = WorkerItem.Key(workerId), ConditionExpression = WorkerItem.Reservable,
        UpdateExpression = "SET reservations.#job = :reservation",
        ExpressionAttributeNames = new() { ["#job"] = jobId },
        ExpressionAttributeValues = new()
        {
            [":fresh"] = N(freshSince.ToUnixTimeMilliseconds()), [":reservation"] = WorkerItem.ToValue(new Reservation(jobId, token, node, now)),
        },
    };

    private Update NodeUpdate(GangNode lease, string expression, Dictionary<string, AttributeValue> values)
    {
        values[":token"] = N(lease.FencingToken);
        values[":worker"] = S(lease.WorkerId);
        return new Update
        {
            TableName = table, Key = GangItem.NodeKey(lease.JobId, lease.Node), ConditionExpression = "fencing_token = :token AND worker_id = :worker",
            UpdateExpression = expression, ExpressionAttributeValues = values,
        };
    }

    // Writes every item or none; returns null when written, else the index of the first item whose condition failed
    // (-1 when the transaction lost a race with another one on the same items).
    private async Task<int?> TransactAsync(string operation, List<TransactWriteItem> items, CancellationToken cancellationToken)
    {
        try
        {
            await SdkCall.RunAsync("dynamodb", operation, () => dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = items }, cancellationToken))
                .ConfigureAwait(false);
            return null;
        }
        catch (AwsServiceException e) when (e.InnerException is TransactionCanceledException canceled)
        {
            var reasons = canceled.CancellationReasons ?? [];
            var index = reasons.FindIndex(r => r.Code == "ConditionalCheckFailed");
            if (index >= 0 || reasons.Any(r => r.Code == "TransactionConflict")) return index;
            throw;
        }
    }

    private Task<int?> TransactAsync(string operation, TransactWriteItem[] items, CancellationToken cancellationToken) =>
        TransactAsync(operation, items.ToList(), cancellationToken);
}
