using System.Reflection;
using System.Text.Json.Nodes;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Worker;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>The stack and the worker agree on configuration keys, resource names and the table's keys.</summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed class ConfigurationContractTests(SynthesizedFleet synth)
{
    [Fact]
    public void UserData_EveryKey_IsASettingOfTheWorkerOrTheAwsOptions()
    {
        var keys = UserDataLines().Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]).ToList();

        Assert.NotEmpty(keys);
        foreach (var variable in keys)
        {
            Assert.StartsWith(WorkerConfiguration.EnvironmentPrefix, variable, StringComparison.Ordinal);
            var path = variable[WorkerConfiguration.EnvironmentPrefix.Length..].Split("__");
            Assert.True(Binds(path), $"{variable} binds to no property of {WorkerOptions.SectionName} or {AwsOptions.SectionName}");
        }
    }

    [Fact]
    public void UserData_WritesTheEnvironmentFileTheImageReads_WithTheHookTheGroupDeclares()
    {
        var script = UserDataText();
        var hook = SynthesizedFleet.Single(synth.FleetJson, "AWS::AutoScaling::AutoScalingGroup")["Properties"]!["LifecycleHookSpecificationList"]![0]!["LifecycleHookName"]!.GetValue<string>();

        Assert.Contains($"mv {WorkerConfiguration.EnvironmentFile}.tmp {WorkerConfiguration.EnvironmentFile}", script, StringComparison.Ordinal);
        Assert.Equal("/etc/trainingworkers/worker.env", WorkerConfiguration.EnvironmentFile);
        Assert.Contains($"TW_Worker__LifecycleHookName={hook}", script, StringComparison.Ordinal);
        Assert.Contains("TW_Aws__Queue__QueueUrl=", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Binds_AKeyThatIsNoSetting_IsRefused()
    {
        Assert.False(Binds(["Aws", "Queue", "Url"]));
        Assert.False(Binds(["Worker", "Slots"]));
        Assert.True(Binds(["Aws", "S3", "AllowedPrefixes", "0"]));
    }

    [Fact]
    public void Resources_Names_AreTheFleetNamesTwEnvCreateUses()
    {
        var names = FleetNames.For("tw");
        var queues = SynthesizedFleet.Resources(synth.DataPlaneJson, "AWS::SQS::Queue").Select(q => q.Resource["Properties"]!["QueueName"]!.GetValue<string>()).Order().ToList();

        Assert.Equal(new[] { names.JobsQueue, names.DeadLetterQueue }.Order(), queues);
        Assert.Equal(names.JobsTable, (string?)SynthesizedFleet.Single(synth.DataPlaneJson, "AWS::DynamoDB::Table")["Properties"]!["TableName"]);
        Assert.Equal(names.JobLogGroup, (string?)SynthesizedFleet.Single(synth.DataPlaneJson, "AWS::Logs::LogGroup")["Properties"]!["LogGroupName"]);
    }

    [Fact]
    public void JobsTable_Keys_AreTheOnesTheCodeReadsAndWrites()
    {
        var table = SynthesizedFleet.Single(synth.DataPlaneJson, "AWS::DynamoDB::Table")["Properties"]!;

        Assert.Equal(
            [(JobTableSchema.PartitionKey, "HASH"), (JobTableSchema.SortKey, "RANGE")],
            table["KeySchema"]!.AsArray().Select(k => (k!["AttributeName"]!.GetValue<string>(), k["KeyType"]!.GetValue<string>())));
        Assert.All(table["AttributeDefinitions"]!.AsArray(), a => Assert.Equal("S", (string?)a!["AttributeType"]));
        var indexes = table["GlobalSecondaryIndexes"]?.AsArray().Select(i => i!["IndexName"]!.GetValue<string>()) ?? [];
        Assert.Equal(JobTableSchema.GlobalSecondaryIndexes.Order(), indexes.Order());
    }

    // Binds as Microsoft.Extensions.Configuration does: property names, case-insensitive; a list takes an index.
    internal static bool Binds(IReadOnlyList<string> path)
    {
        var type = path[0] switch
        {
            WorkerOptions.SectionName => typeof(WorkerOptions),
            AwsOptions.SectionName => typeof(AwsOptions),
            _ => null,
        };
        for (var i = 1; type is not null && i < path.Count; i++)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                type = int.TryParse(path[i], out _) ? type.GetGenericArguments()[0] : null;
                continue;
            }

            var property = type.GetProperty(path[i], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            type = property is { CanWrite: true } || property?.PropertyType.IsClass == true && i < path.Count - 1 ? property!.PropertyType : null;
        }

        return type is not null && (type.IsPrimitive || type == typeof(string) || type == typeof(Uri) || type == typeof(TimeSpan) || type.IsEnum
            || Nullable.GetUnderlyingType(type) is not null);
    }

    private string UserDataText()
    {
        var data = SynthesizedFleet.Single(synth.FleetJson, "AWS::EC2::LaunchTemplate")["Properties"]!["LaunchTemplateData"]!["UserData"]!["Fn::Base64"]!;
        // A Fn::Join of text and references: the references become placeholders.
        return data is JsonObject join
            ? string.Concat(join["Fn::Join"]![1]!.AsArray().Select(p => p is JsonValue v ? v.GetValue<string>() : "VALUE"))
            : data.GetValue<string>();
    }

    private IEnumerable<string> UserDataLines() => UserDataText().Split('\n').Where(l => l.StartsWith(WorkerConfiguration.EnvironmentPrefix, StringComparison.Ordinal) && l.Contains('=', StringComparison.Ordinal));
}
