namespace TrainingWorkers.Aws;

/// <summary>
/// Runs a call through the AWS SDK (S3, SQS, DynamoDB) and turns its exceptions into <see cref="AwsServiceException"/>,
/// sorted by <see cref="AwsErrors.FromSdk"/> like those of our own clients. The caller's cancellation passes through.
/// </summary>
internal static class SdkCall
{
    public static async Task<T> RunAsync<T>(string service, string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (AwsErrors.FromSdk(service, operation, e) is { } sorted)
        {
            throw sorted;
        }
    }

    public static Task RunAsync(string service, string operation, Func<Task> call) =>
        RunAsync(service, operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });
}
