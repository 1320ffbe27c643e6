using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace TrainingWorkers.Aws.S3;

/// <summary>Small S3 operations shared by the checkpoint store and the dataset cache, with errors made typed.</summary>
internal static class S3Listing
{
    /// <summary>Every object under <paramref name="prefix"/>, page by page.</summary>
    public static async IAsyncEnumerable<S3Object> ObjectsAsync(IAmazonS3 s3, string bucket, string prefix,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var page = await SdkCall.RunAsync("s3", "ListObjectsV2", () => s3.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
            // SDK v4 leaves S3Objects null on an empty page.
            foreach (var o in page.S3Objects ?? []) yield return o;
            if (page.IsTruncated != true) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>The object's metadata, or null when it does not exist.</summary>
    public static Task<GetObjectMetadataResponse?> TryHeadAsync(IAmazonS3 s3, string bucket, string key, CancellationToken cancellationToken) =>
        SdkCall.RunAsync("s3", "HeadObject", async () =>
        {
            try
            {
                return await s3.GetObjectMetadataAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        });

    /// <summary>A small object's bytes, or null when it does not exist.</summary>
    public static Task<byte[]?> TryGetBytesAsync(IAmazonS3 s3, string bucket, string key, CancellationToken cancellationToken) =>
        SdkCall.RunAsync("s3", "GetObject", async () =>
        {
            try
            {
                using var response = await s3.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
                using var copy = new MemoryStream();
                await response.ResponseStream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
                return copy.ToArray();
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return (byte[]?)null;
            }
        });

    /// <summary>Deletes keys in batches of 1000 (the DeleteObjects limit); fails if any key could not be deleted.</summary>
    public static async Task DeleteAsync(IAmazonS3 s3, string bucket, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var chunk in keys.Chunk(1000))
        {
            var request = new DeleteObjectsRequest { BucketName = bucket, Objects = [.. chunk.Select(k => new KeyVersion { Key = k })], Quiet = true };
            var response = await SdkCall.RunAsync("s3", "DeleteObjects", () => s3.DeleteObjectsAsync(request, cancellationToken)).ConfigureAwait(false);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                var e = errors[0];
                throw new AwsServiceException("s3", "DeleteObjects", e.Code, $"{errors.Count} of {chunk.Length} keys were not deleted, e.g. '{e.Key}': {e.Message}",
                    AwsErrors.Classify(e.Code, null));
            }
        }
    }
}
