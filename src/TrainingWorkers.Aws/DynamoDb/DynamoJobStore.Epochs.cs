using System.Globalization;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Jobs;
using static TrainingWorkers.Aws.DynamoDb.JobItem;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// Each epoch's metrics as an item of its own (<c>pk = job#{id}, sk = e#{epoch:D6}</c>), so a tuner sees every epoch, not
/// only the newest that the job's record keeps. The write is a transaction with a check of the job's lease: a worker
/// whose lease was taken over records nothing, and a resumed attempt's epoch replaces the earlier attempt's.
/// </summary>
internal sealed partial class DynamoJobStore
{
    public const string EpochPrefix = "e#";

    public async Task RecordEpochAsync(JobLease lease, int epoch, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epoch);
        var held = HeldUpdate(lease, "SET updated_at = :now", new());
        var check = new ConditionCheck
        {
            TableName = _table, Key = held.Key, ConditionExpression = held.ConditionExpression,
            ExpressionAttributeNames = held.ExpressionAttributeNames,
            ExpressionAttributeValues = held.ExpressionAttributeValues.Where(kv => kv.Key != ":now").ToDictionary(),
        };
        var item = new Dictionary<string, AttributeValue>
        {
            [Pk] = S(PkOf(lease.JobId)),
            [Sk] = S(EpochPrefix + epoch.ToString("D6", CultureInfo.InvariantCulture)),
            ["epoch"] = N((long)epoch),
            // DynamoDB numbers have no NaN or infinity: an undefined metric is left out.
            ["metrics"] = new AttributeValue { M = metrics.Where(kv => double.IsFinite(kv.Value)).ToDictionary(kv => kv.Key, kv => N(kv.Value)) },
            ["at"] = N(_time.GetUtcNow().ToUnixTimeMilliseconds()),
            ["fencing_token"] = N(lease.FencingToken),
        };
        TransactWriteItem[] items = [new() { ConditionCheck = check }, new() { Put = new Put { TableName = _table, Item = item } }];
        if (!await ConditionalWrites.TryTransactAsync(_dynamo, "RecordEpoch", items, cancellationToken).ConfigureAwait(false))
        {
            throw new LeaseLostException(lease.JobId, lease.FencingToken, "another worker claimed the job or it was finished");
        }
    }

    public async Task<IReadOnlyList<EpochMetrics>> GetEpochsAsync(string jobId, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = _table, ConsistentRead = true,
            KeyConditionExpression = "pk = :pk AND begins_with(sk, :e)",
            ExpressionAttributeValues = new() { [":pk"] = S(PkOf(jobId)), [":e"] = S(EpochPrefix) },
        };
        var items = await ConditionalWrites.QueryAllAsync(_dynamo, "GetEpochs", request, cancellationToken).ConfigureAwait(false);
        return items.Select(i => new EpochMetrics(
            int.Parse(i["epoch"].N, CultureInfo.InvariantCulture),
            (i.TryGetValue("metrics", out var m) && m.M is not null ? m.M : []).ToDictionary(kv => kv.Key, kv => double.Parse(kv.Value.N, CultureInfo.InvariantCulture)),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(i["at"].N, CultureInfo.InvariantCulture)))).OrderBy(e => e.Epoch).ToList();
    }
}
