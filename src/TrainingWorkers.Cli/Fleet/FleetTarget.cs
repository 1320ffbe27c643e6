using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>Where a fleet command talks to: the chosen environment with the flags' overrides.</summary>
internal sealed record FleetTarget
{
    public const string DefaultTable = "tw-jobs";

    /// <summary>The environment's name, or null when the flags alone are used.</summary>
    public string? EnvironmentName { get; init; }
    public required string EnvironmentsPath { get; init; }
    public string? Region { get; init; }
    public Uri? EndpointUrl { get; init; }
    public Uri? QueueUrl { get; init; }
    public string Table { get; init; } = DefaultTable;
    public string? Bucket { get; init; }
    /// <summary>The jobs' log group, when the environment records one.</summary>
    public string? LogGroup { get; init; }

    /// <summary>The queue URL, or an error saying how to give one.</summary>
    public Uri RequireQueueUrl() => QueueUrl ?? throw new FleetInputException(EnvironmentName is null
        ? $"no queue: pass --queue-url, or choose an environment with --env or $TW_ENV ({EnvironmentsPath})"
        : $"environment '{EnvironmentName}' has no queue_url in {EnvironmentsPath}: pass --queue-url", "no_queue");

    /// <summary>
    /// The AWS adapters for this target, built only when a fleet command runs (<c>tw run</c> never loads them).
    /// Dispose it to release the HTTP clients.
    /// </summary>
    public ServiceProvider CreateServices()
    {
        if (string.IsNullOrEmpty(Region) && FallbackRegionFactory.GetRegionEndpoint() is null)
        {
            throw new FleetInputException("no region: pass --region, set AWS_REGION, or choose an environment that has one", "no_region");
        }

        return new ServiceCollection()
            .AddLogging()
            .AddTrainingWorkersAws(o =>
            {
                o.Region = Region;
                o.ServiceUrl = EndpointUrl;
                o.Queue.QueueUrl = QueueUrl;
                o.JobTable.TableName = Table;
                o.S3.Bucket = Bucket;
                o.Logs.GroupName = LogGroup;
                // A person is waiting: give up on an unreachable endpoint in seconds, not after the worker's patient 5 attempts.
                o.MaxAttempts = 3;
            })
            .BuildServiceProvider();
    }

    /// <summary>An absolute http(s) URL, or null for an empty value; <paramref name="field"/> names the flag or setting in the error.</summary>
    public static Uri? ParseUrl(string? value, string field)
    {
        if (string.IsNullOrEmpty(value)) return null;
        return Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new FleetInputException($"{field}: must be an absolute http(s) URL, got '{value}'");
    }
}
