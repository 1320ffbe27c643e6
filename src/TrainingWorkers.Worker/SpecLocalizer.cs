using System.Text.Json.Nodes;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker;

/// <summary>
/// Makes a queued spec runnable here: every <c>s3://</c> URI it references (data files or an IDX directory,
/// a TorchScript model, a base model to fine-tune) is fetched through the instance's dataset cache, and the
/// spec is written to the job's directory with local paths in their place.
/// </summary>
internal static class SpecLocalizer
{
    private static readonly (string Section, string Field)[] Paths =
        [("data", "train"), ("data", "validation"), ("data", "test"), ("model", "path"), ("fine_tune", "from")];

    /// <summary>Writes the runnable spec to <paramref name="specFile"/>.</summary>
    public static async Task WriteAsync(string specJson, JobSpec spec, S3DatasetCache cache, string specFile,
        CancellationToken cancellationToken)
    {
        var root = JsonNode.Parse(specJson)!.AsObject();
        foreach (var (section, field) in Paths)
        {
            if (root[section] is not JsonObject parent || parent[field]?.GetValue<string>() is not { } uri
                || !uri.StartsWith("s3://", StringComparison.Ordinal)
                // Webdataset shards are streamed by the ranks, shard by shard through the same cache, never fetched whole.
                || (section == "data" && spec.Data.Format == DataFormat.Webdataset))
            {
                continue;
            }

            // An IDX data set and image folders are directories, and so is a run to fine-tune from unless it names a file.
            var directory = (section, field) == ("data", "train") && spec.Data.Format == DataFormat.Idx
                || (section == "data" && spec.Data.Format == DataFormat.ImageFolder)
                || (section == "fine_tune" && !Path.HasExtension(uri));
            if (directory && !uri.EndsWith('/')) uri += "/";
            parent[field] = await FetchAsync(cache, uri, $"{section}.{field}", cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(specFile, root.ToJsonString(), cancellationToken).ConfigureAwait(false);
    }

    // What the job names and the fleet cannot read is the job's input at fault, named by its field; the worker's own
    // trouble (expired credentials, the network) is not.
    private static async Task<string> FetchAsync(S3DatasetCache cache, string uri, string field, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.FetchAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (S3AccessDeniedException e)
        {
            throw new JobInputException(field, e.Message, uri, e);
        }
        catch (FormatException e)
        {
            throw new JobInputException(field, $"is not an S3 location: {e.Message}", uri, e);
        }
        catch (AwsServiceException e) when (e.ErrorCode is "NoSuchKey" or "NoSuchBucket" or "NotFound" or "AccessDenied" || e.StatusCode is 403 or 404)
        {
            var why = e.ErrorCode is "AccessDenied" || e.StatusCode == 403 ? "the fleet's role may not read it" : "nothing is there";
            throw new JobInputException(field, $"cannot be fetched: {why} ({e.ErrorCode})", uri, e);
        }
    }
}
