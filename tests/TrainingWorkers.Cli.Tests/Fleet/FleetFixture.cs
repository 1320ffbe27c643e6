using Microsoft.Extensions.DependencyInjection;
using TrainingWorkers.Aws;

namespace TrainingWorkers.Testing;

/// <summary>The fleet command tests' part of the shared fixture.</summary>
public sealed partial class MotoFixture
{
    /// <summary>The environment of a `tw` child: fake credentials, and its own environments file (nothing from the user's).</summary>
    public static Dictionary<string, string?> TwEnvironment(string environmentsFile)
    {
        var env = ChildEnvironment();
        env["TW_ENVIRONMENTS"] = environmentsFile;
        env["TW_ENV"] = null;
        return env;
    }

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
public sealed class FleetCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "fleet";
}
