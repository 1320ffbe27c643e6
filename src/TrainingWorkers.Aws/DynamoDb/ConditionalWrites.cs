using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// Conditional writes that answer false when their condition failed (someone else changed the item first) and throw
/// for anything else: one update, or several items in one transaction where the first item carries the condition.
/// </summary>
internal static class ConditionalWrites
{
    public static async Task<bool> TryUpdateAsync(IAmazonDynamoDB dynamo, string operation, Update update, CancellationToken cancellationToken)
    {
        try
        {
            await SdkCall.RunAsync("dynamodb", operation, () => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = update.TableName, Key = update.Key, ConditionExpression = update.ConditionExpression, UpdateExpression = update.UpdateExpression,
                ExpressionAttributeNames = update.ExpressionAttributeNames, ExpressionAttributeValues = update.ExpressionAttributeValues,
            }, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ConditionalCheckFailedException")
        {
            return false;
        }
    }

    /// <summary>Writes every item or none; false when the first item's condition failed.</summary>
    public static async Task<bool> TryTransactAsync(IAmazonDynamoDB dynamo, string operation, IEnumerable<TransactWriteItem> items, CancellationToken cancellationToken)
    {
        var request = new TransactWriteItemsRequest { TransactItems = items.ToList() };
        try
        {
            await SdkCall.RunAsync("dynamodb", operation, () => dynamo.TransactWriteItemsAsync(request, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException e) when (e.InnerException is TransactionCanceledException canceled
            && canceled.CancellationReasons?.FirstOrDefault()?.Code == "ConditionalCheckFailed")
        {
            return false;
        }
    }

    /// <summary>Every page of a query's items.</summary>
    public static async Task<List<Dictionary<string, AttributeValue>>> QueryAllAsync(IAmazonDynamoDB dynamo, string operation, QueryRequest request, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var page = await SdkCall.RunAsync("dynamodb", operation, () => dynamo.QueryAsync(request, cancellationToken)).ConfigureAwait(false);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });
        return items;
    }
}
