using System.Text.Json.Nodes;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.DynamoDb;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>
/// The stack and the worker agree on resource names and the table's keys (the environment file's keys:
/// <see cref="EnvironmentFileContractTests"/>).
/// </summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed class ConfigurationContractTests(SynthesizedFleet synth)
{
    [Fact]
    public void UserData_WritesTheEnvironmentFileTheImageReads_WithTheHookTheGroupDeclares()
    {
        var script = synth.UserDataText();
        var hook = SynthesizedFleet.Single(synth.FleetJson, "AWS::AutoScaling::AutoScalingGroup")["Properties"]!["LifecycleHookSpecificationList"]![0]!["LifecycleHookName"]!.GetValue<string>();

        Assert.Contains($"mv {WorkerConfiguration.EnvironmentFile}.tmp {WorkerConfiguration.EnvironmentFile}", script, StringComparison.Ordinal);
        Assert.Equal("/etc/trainingworkers/worker.env", WorkerConfiguration.EnvironmentFile);
        Assert.Contains($"TW_Worker__LifecycleHookName='{hook}'", script, StringComparison.Ordinal);
        Assert.Contains("TW_Aws__Queue__QueueUrl='VALUE'", script, StringComparison.Ordinal);
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
}
