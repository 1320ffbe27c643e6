using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;
using Amazon.S3;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using TrainingWorkers.Aws.Sqs;

namespace TrainingWorkers.Aws;

/// <summary>
/// What every AWS client here shares: the credentials from the default chain (resolved once), the region, the
/// endpoint (AWS or an emulator), and how failures are retried. The SDK clients (S3, SQS, DynamoDB) get it as
/// <see cref="SdkOptions"/>; the thin clients over the signer (CloudWatch, Auto Scaling) as a signed HttpClient
/// and <see cref="Retry"/>.
/// </summary>
internal sealed class AwsConnection
{
    public AwsConnection(AwsOptions options, ILogger logger, AWSCredentials? credentials = null)
    {
        Options = options;
        Region = string.IsNullOrEmpty(options.Region)
            ? FallbackRegionFactory.GetRegionEndpoint() ?? throw new AwsServiceException("aws", "ResolveRegion", "NoRegion",
                "no region is configured: set Aws:Region or AWS_REGION", AwsErrorCategory.Fatal)
            : RegionEndpoint.GetBySystemName(options.Region);
        Credentials = credentials ?? ResolveCredentials();
        Retry = AwsRetry.Create(options, (e, attempt, delay) => Log.Retrying(logger, e.Service, e.Operation, e.ErrorCode, attempt, delay));
        SdkOptions = new AWSOptions
        {
            Region = Region,
            Credentials = Credentials,
            DefaultClientConfig =
            {
                ServiceURL = options.ServiceUrl?.ToString(),
                // With an endpoint of its own the SDK cannot tell the region from the host: sign for the configured one.
                AuthenticationRegion = options.ServiceUrl is null ? null : Region.SystemName,
                MaxErrorRetry = options.MaxAttempts - 1,
                // Off by default: a retry would replay the first attempt's signature and timestamp, which a long backoff can age out.
                ResignRetries = true,
                Timeout = options.AttemptTimeout,
            },
        };
    }

    public AwsOptions Options { get; }
    public RegionEndpoint Region { get; }
    public AWSCredentials Credentials { get; }
    public ResiliencePipeline Retry { get; }

    /// <summary>The endpoint of a service: the emulator's when one is set, else the regional AWS endpoint.</summary>
    public Uri EndpointFor(string endpointPrefix) =>
        Options.ServiceUrl ?? new Uri($"https://{endpointPrefix}.{Region.SystemName}.{Region.PartitionDnsSuffix}/");

    /// <summary>
    /// A client whose every request is signed with SigV4 for <paramref name="signingService"/>. The
    /// signer sits closest to the transport and redirects are off, so retries above it re-sign.
    /// </summary>
    public HttpClient CreateSignedClient(string signingService, HttpMessageHandler? transport = null) =>
        new(new SigV4SigningHandler(Credentials, Region, signingService, transport ?? CreateTransport()))
        {
            // Each attempt has its own timeout (AttemptTimeout plus any long-poll wait).
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>
    /// The AWS SDK's options (<c>AddDefaultAWSOptions</c>): these credentials and region, and for every SDK client the
    /// emulator endpoint when one is set, the attempts and the attempt timeout. The SDK retries transient failures
    /// itself (standard mode: exponential backoff with jitter), signing each attempt afresh.
    /// </summary>
    public AWSOptions SdkOptions { get; }

    /// <summary>What one service's SDK client needs beyond <see cref="SdkOptions"/> (the <c>AddAWSService</c> config action).</summary>
    public void ConfigureService(ClientConfig config)
    {
        switch (config)
        {
            case AmazonS3Config s3:
                // An emulator serves buckets by path, and checksums only where S3 requires them (moto recomputes the rest).
                s3.ForcePathStyle = Options.ServiceUrl is not null;
                s3.RequestChecksumCalculation = Options.ServiceUrl is null ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED;
                s3.ResponseChecksumValidation = Options.ServiceUrl is null ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED;
                // The SDK copies a request body to the socket through a buffer of this size (8 KiB by default): one write per
                // 8 KiB is 1,024 writes for every 8 MiB part. Larger writes cost less CPU per byte.
                s3.BufferSize = S3RequestBufferSize;
                break;
            case AmazonSQSConfig sqs:
                // A long poll holds its request open for up to 20 s before the answer starts.
                sqs.Timeout = Options.AttemptTimeout + SqsJobQueue.MaxWait;
                break;
        }
    }

    /// <summary>
    /// An SDK client made as <c>AddTrainingWorkersAws</c> registers it, for tests and tools without a container;
    /// <paramref name="also"/> changes its config further (a test's transport, say).
    /// </summary>
    public T CreateClient<T>(Action<ClientConfig>? also = null)
        where T : class, IAmazonService
    {
        var services = new ServiceCollection().AddDefaultAWSOptions(SdkOptions).AddAWSService<T>((config, _) =>
        {
            ConfigureService(config);
            also?.Invoke(config);
        });
        // Not disposed: the provider would dispose the client it hands out. The caller owns the client.
        return services.BuildServiceProvider().GetRequiredService<T>();
    }

    /// <summary>The transport under the signer: no automatic redirects, pooled connections recycled.</summary>
    public static SocketsHttpHandler CreateTransport() => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    private const int S3RequestBufferSize = 1 << 20;

    private static AWSCredentials ResolveCredentials()
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
        }
        catch (AmazonClientException e)
        {
            // The SDK's message lists the providers it tried; it carries no secret, but we keep only our own words.
            throw new AwsServiceException("aws", "ResolveCredentials", "NoCredentials",
                "no AWS credentials were found (environment, profile, web identity, container, instance role)", AwsErrorCategory.Fatal, inner: e);
        }
    }
}
