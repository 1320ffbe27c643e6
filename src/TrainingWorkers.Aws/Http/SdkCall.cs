using System.Net.Sockets;
using Amazon.Runtime;

namespace TrainingWorkers.Aws;

/// <summary>
/// Runs a call through the real AWS SDK (S3, DynamoDB) and turns its exceptions into <see cref="AwsServiceException"/>,
/// sorted like those of our own clients. The SDK has already retried transient failures, re-signing each attempt.
/// </summary>
internal static class SdkCall
{
    public static async Task<T> RunAsync<T>(string service, string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            var code = string.IsNullOrEmpty(e.ErrorCode) ? e.StatusCode.ToString() : e.ErrorCode;
            throw new AwsServiceException(service, operation, code, e.Message, AwsErrors.Classify(code, e.StatusCode),
                (int)e.StatusCode, e.RequestId, e);
        }
        catch (AmazonClientException e)
        {
            // Client-side failures are either the network (retry may help) or the setup (no credentials, bad endpoint).
            var network = e.InnerException is HttpRequestException or IOException or SocketException or TimeoutException;
            throw new AwsServiceException(service, operation, network ? "NetworkError" : "ClientError", e.Message,
                network ? AwsErrorCategory.Transient : AwsErrorCategory.Fatal, inner: e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new AwsServiceException(service, operation, "NetworkError", e.Message, AwsErrorCategory.Transient, inner: e);
        }
    }

    public static Task RunAsync(string service, string operation, Func<Task> call) =>
        RunAsync(service, operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });
}
