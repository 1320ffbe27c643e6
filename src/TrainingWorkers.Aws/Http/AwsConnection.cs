using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging;
using Polly;

namespace TrainingWorkers.Aws;

/// <summary>
/// What every AWS client here shares: the credentials from the default chain, the region, the
/// endpoint (AWS or an emulator) and the retry policy.
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

    private const int S3RequestBufferSize = 1 << 20;

    /// <summary>An S3 client for this endpoint; against an emulator, path-style and checksums only where required.</summary>
    public IAmazonS3 CreateS3Client() => new AmazonS3Client(Credentials, Configure(new AmazonS3Config
    {
        ForcePathStyle = Options.ServiceUrl is not null,
        RequestChecksumCalculation = Options.ServiceUrl is null ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = Options.ServiceUrl is null ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED,
        // The SDK copies a request body to the socket through a buffer of this size (8 KiB by default): one write per
        // 8 KiB is 1,024 writes for every 8 MiB part. Larger writes cost less CPU per byte.
        BufferSize = S3RequestBufferSize,
    }));

    /// <summary>A DynamoDB client for this endpoint.</summary>
    public IAmazonDynamoDB CreateDynamoDbClient() => new AmazonDynamoDBClient(Credentials, Configure(new AmazonDynamoDBConfig()));

    private T Configure<T>(T config)
        where T : ClientConfig
    {
        config.RegionEndpoint = Region;
        if (Options.ServiceUrl is not null)
        {
            config.ServiceURL = Options.ServiceUrl.ToString();
            config.AuthenticationRegion = Region.SystemName;
        }

        // The SDK retries transient failures itself, re-signing each attempt; keep its count in line with ours.
        config.MaxErrorRetry = Options.MaxAttempts - 1;
        config.Timeout = Options.AttemptTimeout;
        return config;
    }

    /// <summary>The transport under the signer: no automatic redirects, pooled connections recycled.</summary>
    public static SocketsHttpHandler CreateTransport() => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

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
