using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrainingWorkers.Aws.Tests;

/// <summary>One moto server shared by the tests of the "moto" collection; every test uses its own random names.</summary>
public sealed class MotoFixture : IAsyncLifetime
{
    public const string AccessKeyId = "AKIAIOSFODNN7TESTKEY";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET";
    private MotoServer? _server;

    public MotoServer Server => _server ?? throw new InvalidOperationException("moto is not running");

    public async Task InitializeAsync()
    {
        // The adapters use the default credential chain; the environment is its first link.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", SecretKey);
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        _server = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>Options pointing at this server, with short retries so failures surface quickly.</summary>
    public AwsOptions Options(Action<AwsOptions>? configure = null)
    {
        var options = new AwsOptions
        {
            Region = "us-east-1",
            ServiceUrl = Server.Url,
            MaxAttempts = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(500),
            AttemptTimeout = TimeSpan.FromSeconds(20),
        };
        configure?.Invoke(options);
        return options;
    }

    internal AwsConnection Connection(AwsOptions? options = null, AWSCredentials? credentials = null) =>
        new(options ?? Options(), NullLogger.Instance, credentials);

    public static string RandomName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 63)];
}

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "moto";
}
