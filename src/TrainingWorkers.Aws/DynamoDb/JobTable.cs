using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>Creates the jobs table for local use (on AWS the deploy stack declares it from <see cref="JobTableSchema"/>).</summary>
internal static class JobTable
{
    /// <summary>Creates the table (on-demand capacity) if it does not exist and waits until it is active; true when this call created it.</summary>
    public static async Task<bool> EnsureCreatedAsync(IAmazonDynamoDB dynamo, string tableName, CancellationToken cancellationToken)
    {
        var created = true;
        try
        {
            await SdkCall.RunAsync("dynamodb", "CreateTable", () => dynamo.CreateTableAsync(new CreateTableRequest
            {
                TableName = tableName,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new(JobTableSchema.PartitionKey, ScalarAttributeType.S), new(JobTableSchema.SortKey, ScalarAttributeType.S)],
                KeySchema = [new(JobTableSchema.PartitionKey, KeyType.HASH), new(JobTableSchema.SortKey, KeyType.RANGE)],
            }, cancellationToken)).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceInUseException")
        {
            // Already there: creation is idempotent.
            created = false;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (true)
        {
            var table = await SdkCall.RunAsync("dynamodb", "DescribeTable", () => dynamo.DescribeTableAsync(tableName, deadline.Token)).ConfigureAwait(false);
            if (table.Table.TableStatus == TableStatus.ACTIVE) return created;
            await poll.WaitForNextTickAsync(deadline.Token).ConfigureAwait(false);
        }
    }
}
