using System.Text.Json.Nodes;
using TrainingWorkers.Aws;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>The IAM the stack grants agrees with the AWS calls the code makes (src/TrainingWorkers.Aws/IamActions.cs).</summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed class IamContractTests(SynthesizedFleet synth)
{
    private static readonly System.Reflection.Assembly[] Code =
        [typeof(AwsOptions).Assembly, typeof(TrainingWorkers.Worker.WorkerOptions).Assembly, System.Reflection.Assembly.Load("tw")];

    [Fact]
    public void CodeCalls_EveryOperation_IsListedInIamActions()
    {
        var listed = IamActions.All.Select(o => (o.Service, o.Operation)).ToHashSet();

        var missing = CodeCalls.In(Code).Where(c => !listed.Contains(c.Key)).Select(c => $"{c.Key.Service}:{c.Key.Operation} (called in {c.Value})").ToList();

        Assert.True(missing.Count == 0, "called but not in IamActions.All: add them there with their IAM actions:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void CodeCalls_SdkAndThinClientCalls_AreReadAsTheirOperations()
    {
        var calls = CodeCalls.In(Code);

        // The job queue is on AWSSDK.SQS; S3's PutBucketAsync is the CreateBucket operation; Logs is a thin client.
        Assert.Contains("SqsJobQueue", calls[("sqs", "ReceiveMessage")], StringComparison.Ordinal);
        Assert.Contains("SqsJobQueue", calls[("sqs", "ChangeMessageVisibility")], StringComparison.Ordinal);
        Assert.Contains("FleetProvisioner", calls[("s3", "CreateBucket")], StringComparison.Ordinal);
        Assert.Contains("CloudWatchLogsClient", calls[("logs", "PutLogEvents")], StringComparison.Ordinal);
    }

    [Fact]
    public void IamActions_EveryOperation_IsCalledByTheCode()
    {
        var called = CodeCalls.In(Code).Keys.ToHashSet();

        var stale = IamActions.All.Where(o => !called.Contains((o.Service, o.Operation))).Select(o => $"{o.Service}:{o.Operation}").ToList();

        Assert.True(stale.Count == 0, "in IamActions.All but called nowhere: remove them:\n  " + string.Join("\n  ", stale));
    }

    [Fact]
    public void WorkerRole_Actions_AreExactlyTheWorkersCalls()
    {
        var expected = IamActions.CalledBy(AwsCaller.Worker).SelectMany(o => o.Actions).ToHashSet(StringComparer.Ordinal);

        // The rest of the role is the image's CloudWatch agent's (AgentContractTests).
        var granted = Statements(synth.FleetJson, "AWS::IAM::Policy")
            .Where(s => !((string)s["Sid"]!).StartsWith(CloudWatchAgentPolicy.SidPrefix, StringComparison.Ordinal))
            .SelectMany(s => Strings(s["Action"])).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(expected.Order(StringComparer.Ordinal), granted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Doctor_EveryCall_IsOneTheWorkersRoleGrants()
    {
        // The image's unit runs tw doctor before the worker, under the workers' role: a call it does not grant stops the worker.
        var worker = IamActions.CalledBy(AwsCaller.Worker).Select(o => (o.Service, o.Operation)).ToHashSet();

        var doctor = CodeCalls.In(Code[2].GetTypes().Where(t => t.Namespace == "TrainingWorkers.Cli.Doctor"));

        Assert.Contains(("dynamodb", "GetItem"), doctor.Keys);
        var refused = doctor.Where(c => !worker.Contains(c.Key)).Select(c => $"{c.Key.Service}:{c.Key.Operation} (in {c.Value})").ToList();
        Assert.True(refused.Count == 0, "tw doctor calls what the workers' role does not grant:\n  " + string.Join("\n  ", refused));
    }

    [Fact]
    public void WorkerRole_EveryStatement_NamesResourcesExceptDescribeAndNamespacedMetrics()
    {
        foreach (var s in Statements(synth.FleetJson, "AWS::IAM::Policy"))
        {
            var actions = Strings(s["Action"]).ToList();
            var resources = s["Resource"] is JsonArray a ? a.ToList() : [s["Resource"]];
            if (resources.Any(r => r is JsonValue v && v.GetValue<string>() == "*"))
            {
                // ec2:DescribeTags (the CloudWatch agent's) cannot be limited to a resource.
                Assert.All(actions, action => Assert.True(action is "cloudwatch:PutMetricData" or "ec2:DescribeTags" || action.StartsWith("autoscaling:Describe", StringComparison.Ordinal),
                    $"{action} is granted on every resource"));
            }

            if (actions.Contains("cloudwatch:PutMetricData"))
            {
                Assert.Equal("TrainingWorkers", (string?)s["Condition"]!["StringEquals"]!["cloudwatch:namespace"]);
            }

            if (actions.Contains("s3:ListBucket"))
            {
                Assert.Equal(["jobs/*", "datasets/*"], Strings(s["Condition"]!["StringLike"]!["s3:prefix"]));
            }
        }
    }

    [Fact]
    public void WorkerRole_WritesOnlyUnderTheJobsPrefix_AndScaleInProtectionOnlyOnItsGroup()
    {
        var statements = Statements(synth.FleetJson, "AWS::IAM::Policy").ToList();
        var puts = Assert.Single(statements, s => Strings(s["Action"]).Contains("s3:PutObject"));
        var protection = Assert.Single(statements, s => Strings(s["Action"]).Contains("autoscaling:SetInstanceProtection"));

        Assert.EndsWith("/jobs/*", puts["Resource"]!.ToJsonString().Split(',')[^1].Trim('"', ']', '}'), StringComparison.Ordinal);
        Assert.Contains(":autoScalingGroup:*:autoScalingGroupName/tw-workers", protection["Resource"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AwsCaller.Submitter, "SubmitterPolicy")]
    [InlineData(AwsCaller.Coordinator, "CoordinatorPolicy")]
    public void ManagedPolicy_Actions_AreExactlyItsCallersCalls(AwsCaller caller, string policy)
    {
        var expected = IamActions.CalledBy(caller).SelectMany(o => o.Actions).ToHashSet(StringComparer.Ordinal);

        var granted = SynthesizedFleet.Resources(synth.DataPlaneJson, "AWS::IAM::ManagedPolicy").Where(r => r.Id.StartsWith(policy, StringComparison.Ordinal))
            .SelectMany(r => r.Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).SelectMany(s => Strings(s!["Action"])).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(expected.Order(StringComparer.Ordinal), granted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CoordinatorPolicy_WritesOnlyUnderTheStudiesPrefix()
    {
        var statements = SynthesizedFleet.Resources(synth.DataPlaneJson, "AWS::IAM::ManagedPolicy").Where(r => r.Id.StartsWith("CoordinatorPolicy", StringComparison.Ordinal))
            .SelectMany(r => r.Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject()).ToList();

        var puts = Assert.Single(statements, s => Strings(s["Action"]).Contains("s3:PutObject"));
        Assert.EndsWith("/studies/*", puts["Resource"]!.ToJsonString().Split(',')[^1].Trim('"', ']', '}'), StringComparison.Ordinal);
    }

    private static IEnumerable<JsonObject> Statements(JsonObject template, string type) =>
        SynthesizedFleet.Resources(template, type).SelectMany(r => r.Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject());

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [node!.GetValue<string>()];
}
