namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// The jobs table's keys and secondary indexes as the code reads and writes them: one string partition key and
/// one string sort key (a job's record and its history share the partition), no secondary index (listing scans).
/// <see cref="JobTable"/> creates tables with it, and the deploy stack declares the table from it.
/// </summary>
public static class JobTableSchema
{
    /// <summary>The partition key: <c>job#{id}</c>.</summary>
    public const string PartitionKey = JobItem.Pk;

    /// <summary>The sort key: <c>job</c> for the record, <c>h#...</c> for each history entry.</summary>
    public const string SortKey = JobItem.Sk;

    /// <summary>The global secondary indexes the code queries (names); none today.</summary>
    public static IReadOnlyList<string> GlobalSecondaryIndexes { get; } = [];
}
