using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws;

namespace TrainingWorkers.Cli.Tests.Fleet;

/// <summary>One moto server for the fleet command tests; each test makes its own environment with random names.</summary>
public sealed class FleetFixture : IAsyncLifetime
{
    private const string AccessKeyId = "AKIAIOSFODNN7TESTKEY";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET";
    private const string Region = "us-east-1";
    private MotoServer? _server;

    public Uri Url => (_server ?? throw new InvalidOperationException("moto is not running")).Url;

    public async Task InitializeAsync()
    {
        // The tests' own clients use the default credential chain too; the environment is its first link.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", SecretKey);
        Environment.SetEnvironmentVariable("AWS_REGION", Region);
        _server = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>The environment of a `tw` child: fake credentials, and its own environments file (nothing from the user's).</summary>
    public static Dictionary<string, string?> TwEnvironment(string environmentsFile) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
        ["AWS_REGION"] = Region,
        ["AWS_PROFILE"] = null,
        ["AWS_SESSION_TOKEN"] = null,
        ["TW_ENVIRONMENTS"] = environmentsFile,
        ["TW_ENV"] = null,
    };

    /// <summary>The AWS adapters pointed at this moto, for a test to look at (or act on) what `tw` did.</summary>
    public ServiceProvider Services(string? queueUrl = null, string? table = null) => new ServiceCollection()
        .AddLogging()
        .AddTrainingWorkersAws(o =>
        {
            o.Region = Region;
            o.ServiceUrl = Url;
            o.Queue.QueueUrl = queueUrl is null ? null : new Uri(queueUrl);
            if (table is not null) o.JobTable.TableName = table;
            o.MaxAttempts = 2;
        })
        .BuildServiceProvider();
}

[CollectionDefinition(Name)]
public sealed class FleetCollection : ICollectionFixture<FleetFixture>
{
    public const string Name = "fleet";
}
