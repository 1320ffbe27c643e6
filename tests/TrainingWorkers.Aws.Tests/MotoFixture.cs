using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws;

namespace TrainingWorkers.Testing;

/// <summary>The AWS adapter tests' part of the shared fixture: options and connections pointing at the server.</summary>
public sealed partial class MotoFixture
{
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
}

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "moto";
}
