using Microsoft.Extensions.Configuration;
using TrainingWorkers.Aws;
using TrainingWorkers.Cli.Fleet;

namespace TrainingWorkers.Cli.Doctor;

/// <summary>
/// The configuration <c>tw doctor</c> checks: the worker's own (the <c>TW_</c>-prefixed variables a worker
/// reads, such as the AMI's <c>/etc/trainingworkers/worker.env</c>) over the chosen <c>tw</c> environment,
/// with the command's flags over both.
/// </summary>
internal sealed record DoctorSettings(AwsOptions Aws, string WorkDirectory)
{
    /// <summary>The worker's default work directory (<c>WorkerOptions.WorkDirectory</c>; a contract test keeps them equal).</summary>
    public static readonly string DefaultWorkDirectory = Path.Combine(Path.GetTempPath(), "tw-worker");

    /// <summary>A queue or a bucket is configured: the AWS checks run. Without either there is nothing to reach.</summary>
    public bool AwsConfigured => Aws.Queue.QueueUrl is not null || !string.IsNullOrEmpty(Aws.S3.Bucket);

    public static DoctorSettings Resolve(FleetTarget environment, IReadOnlyDictionary<string, string?> flags)
    {
        var fromEnvironment = new Dictionary<string, string?>
        {
            ["Aws:Region"] = environment.Region,
            ["Aws:ServiceUrl"] = environment.EndpointUrl?.ToString(),
            ["Aws:Queue:QueueUrl"] = environment.QueueUrl?.ToString(),
            ["Aws:JobTable:TableName"] = environment.Table,
            ["Aws:S3:Bucket"] = environment.Bucket,
        };
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(fromEnvironment.Where(kv => kv.Value is not null))
            .AddEnvironmentVariables("TW_")
            .AddInMemoryCollection(flags.Where(kv => kv.Value is not null))
            .Build();
        var aws = new AwsOptions();
        configuration.GetSection(AwsOptions.SectionName).Bind(aws);
        var workDirectory = configuration["Worker:WorkDirectory"] is { Length: > 0 } w ? w : DefaultWorkDirectory;
        return new DoctorSettings(aws, workDirectory);
    }
}
