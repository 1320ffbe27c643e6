using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Gangs;
using static TrainingWorkers.Aws.DynamoDb.JobItem;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>Worker registrations in the jobs table (<see cref="WorkerItem"/>): heartbeats, draining, and slots taken and given back by conditional writes.</summary>
internal sealed class DynamoWorkerRegistry(IAmazonDynamoDB dynamo, string table, TimeProvider time) : IWorkerRegistry
{
    public Task RegisterAsync(WorkerRegistration registration, CancellationToken cancellationToken) =>
        SdkCall.RunAsync("dynamodb", "RegisterWorker", () => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = table, Item = WorkerItem.ToItem(registration),
        }, cancellationToken));

    public async Task<WorkerRegistration?> BeatAsync(string workerId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await SdkCall.RunAsync("dynamodb", "WorkerHeartbeat", () => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table, Key = WorkerItem.Key(workerId), ConditionExpression = "attribute_exists(pk)",
                UpdateExpression = "SET heartbeat_at = :now", ReturnValues = ReturnValue.ALL_NEW,
                ExpressionAttributeValues = new() { [":now"] = N(time.GetUtcNow().ToUnixTimeMilliseconds()) },
            }, cancellationToken)).ConfigureAwait(false);
            return WorkerItem.ToRegistration(response.Attributes);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ConditionalCheckFailedException")
        {
            return null;
        }
    }

    public Task DrainAsync(string workerId, CancellationToken cancellationToken) =>
        ConditionalWrites.TryUpdateAsync(dynamo, "DrainWorker", new Update
        {
            TableName = table, Key = WorkerItem.Key(workerId), ConditionExpression = "attribute_exists(pk)",
            UpdateExpression = "SET draining = :true", ExpressionAttributeValues = new() { [":true"] = new AttributeValue { BOOL = true } },
        }, cancellationToken);

    public Task DeregisterAsync(string workerId, CancellationToken cancellationToken) =>
        SdkCall.RunAsync("dynamodb", "DeregisterWorker", () => dynamo.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = table, Key = WorkerItem.Key(workerId),
        }, cancellationToken));

    public async Task<IReadOnlyList<WorkerRegistration>> ListAsync(CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = table, ConsistentRead = true, KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = S(WorkerItem.Partition) },
        };
        var items = await ConditionalWrites.QueryAllAsync(dynamo, "ListWorkers", request, cancellationToken).ConfigureAwait(false);
        return items.Select(WorkerItem.ToRegistration).ToList();
    }

    public Task<bool> TryTakeSlotAsync(string workerId, string jobId, CancellationToken cancellationToken) =>
        ConditionalWrites.TryUpdateAsync(dynamo, "TakeSlot", new Update
        {
            TableName = table, Key = WorkerItem.Key(workerId),
            ConditionExpression = "attribute_exists(pk) AND size(reservations) < slots AND attribute_not_exists(reservations.#job)",
            UpdateExpression = "SET reservations.#job = :reservation",
            ExpressionAttributeNames = new() { ["#job"] = jobId },
            ExpressionAttributeValues = new() { [":reservation"] = WorkerItem.ToValue(new Reservation(jobId, Reservation.Unclaimed, 0, time.GetUtcNow())) },
        }, cancellationToken);

    public Task<bool> ReleaseAsync(string workerId, string jobId, long fencingToken, CancellationToken cancellationToken) =>
        ConditionalWrites.TryUpdateAsync(dynamo, "ReleaseSlot", Release(table, workerId, jobId, fencingToken), cancellationToken);

    /// <summary>Removes the reservation of <paramref name="jobId"/> if it is still the one of <paramref name="fencingToken"/>.</summary>
    public static Update Release(string table, string workerId, string jobId, long fencingToken) => new()
    {
        TableName = table, Key = WorkerItem.Key(workerId), ConditionExpression = "reservations.#job.#token = :token",
        UpdateExpression = "REMOVE reservations.#job",
        ExpressionAttributeNames = new() { ["#job"] = jobId, ["#token"] = "token" },
        ExpressionAttributeValues = new() { [":token"] = N(fencingToken) },
    };
}
