using Polly;
using Polly.Retry;

namespace TrainingWorkers.Aws;

/// <summary>
/// The retry policy of every AWS call: transient failures only, exponential backoff with jitter.
/// It wraps whole attempts, so each retry builds and signs a fresh request.
/// </summary>
internal static class AwsRetry
{
    public static ResiliencePipeline Create(AwsOptions options, Action<AwsServiceException, int, TimeSpan>? onRetry = null)
    {
        if (options.MaxAttempts <= 1) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<AwsServiceException>(e => e.IsTransient),
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is AwsServiceException e) onRetry?.Invoke(e, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
