using Microsoft.Extensions.Options;

namespace TrainingWorkers.Worker;

/// <summary>What the worker needs of the AWS settings: a queue to poll and a bucket for checkpoints and models.</summary>
internal sealed class WorkerAwsOptionsValidator : IValidateOptions<TrainingWorkers.Aws.AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, TrainingWorkers.Aws.AwsOptions o)
    {
        var errors = new List<string>();
        if (o.Queue.QueueUrl is null) errors.Add("Aws:Queue:QueueUrl: must be set to the jobs queue's URL");
        if (string.IsNullOrWhiteSpace(o.S3.Bucket)) errors.Add("Aws:S3:Bucket: must be set to the bucket for checkpoints and models");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
