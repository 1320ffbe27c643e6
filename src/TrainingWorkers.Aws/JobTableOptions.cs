namespace TrainingWorkers.Aws;

/// <summary>The DynamoDB table of job records and their status history.</summary>
public sealed class JobTableOptions
{
    public string TableName { get; set; } = "tw-jobs";
}
