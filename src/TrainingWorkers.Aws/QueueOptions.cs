namespace TrainingWorkers.Aws;

/// <summary>The SQS jobs queue.</summary>
public sealed class QueueOptions
{
    /// <summary>The queue's URL (from <c>GetQueueUrl</c> or the deploy stack's outputs).</summary>
    public Uri? QueueUrl { get; set; }
}
