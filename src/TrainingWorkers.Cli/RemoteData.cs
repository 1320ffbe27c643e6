using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Data;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Cli;

/// <summary>
/// Composes the engine's <see cref="IRemoteDataFiles"/> port with the AWS adapter, for a webdataset streamed from
/// <c>s3://</c>: the settings are the worker's own <c>TW_Aws__*</c> environment variables (a worker's ranks inherit
/// them), so ranks stream through the instance's cache with the worker's endpoint, allow-list and cache directory.
/// </summary>
internal static class RemoteData
{
    /// <summary>The port, or null when the spec streams nothing from S3 (then the AWS assembly is never loaded).</summary>
    public static IRemoteDataFiles? For(DataSpec data) =>
        data.Format == DataFormat.Webdataset && new[] { data.Train, data.Validation, data.Test }.Any(DataSpec.IsRemote) ? Create() : null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IRemoteDataFiles Create()
    {
        static string? Setting(string name) => Environment.GetEnvironmentVariable("TW_Aws__" + name) is { Length: > 0 } v ? v : null;
        var services = new ServiceCollection().AddLogging().AddTrainingWorkersAws(o =>
        {
            o.Region = Setting("Region");
            o.ServiceUrl = Setting("ServiceUrl") is { } url ? new Uri(url) : null;
            o.S3.Bucket = Setting("S3__Bucket");
            o.S3.Prefix = Setting("S3__Prefix") ?? o.S3.Prefix;
            o.S3.CacheDirectory = Setting("S3__CacheDirectory") ?? o.S3.CacheDirectory;
            if (Setting("S3__CacheMaxBytes") is { } max) o.S3.CacheMaxBytes = long.Parse(max, System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; Setting($"S3__AllowedPrefixes__{i}") is { } prefix; i++) o.S3.AllowedPrefixes.Add(prefix);
        }).BuildServiceProvider();
        // Lives as long as the process: the rank streams until it exits.
        return new S3RemoteDataFiles(services.GetRequiredService<S3DatasetCache>());
    }
}
