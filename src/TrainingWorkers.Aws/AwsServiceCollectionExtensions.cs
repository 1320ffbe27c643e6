using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Amazon.S3;
using Amazon.SQS;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Aws.Instance;
using TrainingWorkers.Aws.Logs;
using TrainingWorkers.Aws.Provisioning;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Aws.Sqs;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Studies;

namespace TrainingWorkers.Aws;

/// <summary>Registers the AWS adapters of the Core ports.</summary>
public static class AwsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IJobQueue"/> (SQS), <see cref="IJobStore"/>, <see cref="IStudyStore"/>, <see cref="IWorkerRegistry"/> and <see cref="IGangStore"/>
    /// (DynamoDB, one table), <see cref="S3JobStorage"/>, <see cref="S3StudyArtifacts"/>, <see cref="S3DatasetCache"/>, <see cref="CloudWatchMetrics"/>,
    /// <see cref="JobLogs"/>, <see cref="ImdsClient"/>,
    /// <see cref="AutoScalingClient"/> and <see cref="FleetProvisioner"/>, and the SDK clients they use (<see cref="IAmazonSQS"/>,
    /// <see cref="IAmazonS3"/>, <see cref="IAmazonDynamoDB"/>, through <c>AddDefaultAWSOptions</c> and <c>AddAWSService</c>). Options
    /// are validated at start-up (<c>ValidateOnStart</c>) with every error listed. Registrations already present are kept (<c>TryAdd</c>).
    /// </summary>
    public static IServiceCollection AddTrainingWorkersAws(this IServiceCollection services, Action<AwsOptions> configure)
    {
        services.AddOptions<AwsOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsOptions>, AwsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AwsConnection(Options(sp), sp.GetRequiredService<ILoggerFactory>().CreateLogger("TrainingWorkers.Aws")));

        // The SDK's clients, registered the ordinary way: AWSOptions made from ours, plus what each service needs of its own.
        services.TryAddDefaultAWSOptions(sp => sp.GetRequiredService<AwsConnection>().SdkOptions);
        services.TryAddAWSService<IAmazonSQS>(ConfigureService);
        services.TryAddAWSService<IAmazonS3>(ConfigureService);
        services.TryAddAWSService<IAmazonDynamoDB>(ConfigureService);

        // CloudWatch, CloudWatch Logs and Auto Scaling have no SDK package here: thin clients over AWSSDK.Core's signer.
        foreach (var service in new[] { "monitoring", "autoscaling", "logs" })
        {
            // The signer is the primary handler (it owns its transport); retries run above it in our clients, so each attempt is re-signed.
            services.AddHttpClient("tw-aws-" + service, c => c.Timeout = Timeout.InfiniteTimeSpan)
                .ConfigurePrimaryHttpMessageHandler(sp =>
                {
                    var connection = sp.GetRequiredService<AwsConnection>();
                    return new SigV4SigningHandler(connection.Credentials, connection.Region, service, AwsConnection.CreateTransport());
                });
        }

        services.TryAddSingleton<IJobQueue>(sp => new SqsJobQueue(sp.GetRequiredService<IAmazonSQS>(),
            Options(sp).Queue.QueueUrl?.ToString() ?? throw new InvalidOperationException("Aws:Queue:QueueUrl must be set to use the SQS job queue"),
            sp.GetRequiredService<ILogger<SqsJobQueue>>()));

        services.TryAddSingleton<IJobStore>(sp => new DynamoJobStore(sp.GetRequiredService<IAmazonDynamoDB>(), Options(sp).JobTable.TableName,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IWorkerRegistry>(sp => new DynamoWorkerRegistry(sp.GetRequiredService<IAmazonDynamoDB>(), Options(sp).JobTable.TableName,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IGangStore>(sp => new DynamoGangStore(sp.GetRequiredService<IAmazonDynamoDB>(), Options(sp).JobTable.TableName,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IStudyStore>(sp => new DynamoStudyStore(sp.GetRequiredService<IAmazonDynamoDB>(), Options(sp).JobTable.TableName,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new FleetProvisioner(sp.GetRequiredService<IAmazonSQS>(), sp.GetRequiredService<IAmazonS3>(),
            sp.GetRequiredService<IAmazonDynamoDB>(), sp.GetRequiredService<JobLogs>()));

        services.TryAddSingleton(sp => new S3Transfer(sp.GetRequiredService<IAmazonS3>(), Options(sp).S3));
        services.TryAddSingleton(sp => S3AccessPolicy.FromOptions(Options(sp).S3));
        services.TryAddSingleton(sp => new S3JobStorage(sp.GetRequiredService<S3Transfer>(), Options(sp).S3));
        services.TryAddSingleton(sp => new S3StudyArtifacts(sp.GetRequiredService<S3Transfer>(), Options(sp).S3));
        services.TryAddSingleton(sp => new S3DatasetCache(sp.GetRequiredService<S3Transfer>(), sp.GetRequiredService<S3AccessPolicy>(),
            Options(sp).S3.CacheDirectory, Options(sp).S3.CacheMaxBytes, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<S3DatasetCache>>()));

        services.TryAddSingleton(sp => new CloudWatchMetrics(new CloudWatchClient(Http(sp, "monitoring"), sp.GetRequiredService<AwsConnection>()),
            Options(sp).Metrics, sp.GetRequiredService<ILoggerFactory>()));
        // Logs speaks AWS JSON 1.1: its header is set above the signer, before the request is signed.
        services.AddHttpClient("tw-aws-logs").AddHttpMessageHandler(() => new JsonProtocolVersionHandler());
        services.TryAddSingleton(sp => new JobLogs(new CloudWatchLogsClient(Http(sp, "logs"), sp.GetRequiredService<AwsConnection>()),
            Options(sp).Logs, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new AutoScalingClient(Http(sp, "autoscaling"), sp.GetRequiredService<AwsConnection>()));
        services.AddHttpClient("tw-imds");
        services.TryAddSingleton(sp => new ImdsClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient("tw-imds"),
            Options(sp).ImdsEndpoint ?? (Environment.GetEnvironmentVariable("AWS_EC2_METADATA_SERVICE_ENDPOINT") is { Length: > 0 } e ? new Uri(e) : null)));
        return services;
    }

    private static void ConfigureService(ClientConfig config, IServiceProvider sp) => sp.GetRequiredService<AwsConnection>().ConfigureService(config);

    private static AwsOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<AwsOptions>>().Value;

    private static HttpClient Http(IServiceProvider sp, string service) =>
        sp.GetRequiredService<IHttpClientFactory>().CreateClient("tw-aws-" + service);
}
