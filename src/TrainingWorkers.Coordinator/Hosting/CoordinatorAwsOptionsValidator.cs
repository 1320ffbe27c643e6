using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;

namespace TrainingWorkers.Coordinator.Hosting;

/// <summary>What the coordinator needs of the AWS settings: the jobs queue it submits to and the bucket of checkpoints and reports.</summary>
internal sealed class CoordinatorAwsOptionsValidator : IValidateOptions<AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsOptions o)
    {
        var errors = new List<string>();
        if (o.Queue.QueueUrl is null) errors.Add("Aws:Queue:QueueUrl: must be set to the jobs queue's URL (the coordinator submits the studies' jobs there)");
        if (string.IsNullOrWhiteSpace(o.S3.Bucket)) errors.Add("Aws:S3:Bucket: must be set to the bucket of the jobs' checkpoints (stages start from them) and the studies' reports");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
