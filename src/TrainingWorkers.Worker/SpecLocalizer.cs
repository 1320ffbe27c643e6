using System.Text.Json.Nodes;
using TrainingWorkers.Aws.S3;
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
            parent[field] = await cache.FetchAsync(uri, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(specFile, root.ToJsonString(), cancellationToken).ConfigureAwait(false);
    }
}
