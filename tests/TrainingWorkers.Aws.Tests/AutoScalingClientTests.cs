using Microsoft.AspNetCore.Http;
using TrainingWorkers.Aws.Instance;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class AutoScalingClientTests
{
    private readonly MotoFixture _moto;

    public AutoScalingClientTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task ScaleInProtection_SetOnGroupInstance_DescribedAsProtected()
    {
        var connection = _moto.Connection();
        var client = new AutoScalingClient(connection.CreateSignedClient("autoscaling"), connection);
        var group = MotoFixture.RandomName("workers");
        await client.SendAsync("CreateLaunchConfiguration",
            [new("LaunchConfigurationName", group), new("ImageId", "ami-12c6146b"), new("InstanceType", "g5.xlarge")], CancellationToken.None);
        await client.SendAsync("CreateAutoScalingGroup",
        [
            new("AutoScalingGroupName", group), new("LaunchConfigurationName", group), new("MinSize", "1"), new("MaxSize", "1"),
            new("DesiredCapacity", "1"), new("AvailabilityZones.member.1", "us-east-1a"),
        ], CancellationToken.None);
        var groups = await client.SendAsync("DescribeAutoScalingGroups", [new("AutoScalingGroupNames.member.1", group)], CancellationToken.None);
        var instanceId = groups.Descendants().First(e => e.Name.LocalName == "InstanceId").Value;

        var before = await client.IsProtectedFromScaleInAsync(instanceId, CancellationToken.None);
        await client.SetScaleInProtectionAsync(group, instanceId, protect: true, CancellationToken.None);

        Assert.Equal(group, await client.GetGroupNameAsync(instanceId, CancellationToken.None));
        Assert.False(before);
        Assert.True(await client.IsProtectedFromScaleInAsync(instanceId, CancellationToken.None));
    }

    [Fact]
    public async Task LifecycleCalls_SignedQueryRequests_CarryTheDocumentedParameters()
    {
        // moto 5.2.1 does not implement RecordLifecycleActionHeartbeat or CompleteLifecycleAction: check the wire format on a stub.
        var forms = new List<(string? Authorization, Dictionary<string, string> Form)>();
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            var form = await context.Request.ReadFormAsync();
            lock (forms) forms.Add((context.Request.Headers.Authorization, form.ToDictionary(f => f.Key, f => f.Value.ToString())));
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync("<Response xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></Response>");
        });
        var connection = _moto.Connection(_moto.Options(o => o.ServiceUrl = stub.Url));
        var client = new AutoScalingClient(connection.CreateSignedClient("autoscaling"), connection);

        await client.RecordLifecycleHeartbeatAsync("g", "drain", "i-1", CancellationToken.None);
        await client.CompleteLifecycleActionAsync("g", "drain", "i-1", proceed: true, CancellationToken.None);

        Assert.Equal(2, forms.Count);
        Assert.All(forms, f => Assert.Contains("/us-east-1/autoscaling/aws4_request", f.Authorization, StringComparison.Ordinal));
        Assert.Equal("RecordLifecycleActionHeartbeat", forms[0].Form["Action"]);
        Assert.Equal("2011-01-01", forms[0].Form["Version"]);
        Assert.Equal("drain", forms[0].Form["LifecycleHookName"]);
        Assert.Equal("CompleteLifecycleAction", forms[1].Form["Action"]);
        Assert.Equal("CONTINUE", forms[1].Form["LifecycleActionResult"]);
        Assert.Equal("i-1", forms[1].Form["InstanceId"]);
    }

    [Fact]
    public async Task Error_QueryProtocolErrorDocument_TypedWithCode()
    {
        await using var stub = await StubHttpServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync(
                "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>No active Lifecycle Action found</Message></Error><RequestId>x</RequestId></ErrorResponse>");
        });
        var connection = _moto.Connection(_moto.Options(o => o.ServiceUrl = stub.Url));
        var client = new AutoScalingClient(connection.CreateSignedClient("autoscaling"), connection);

        var e = await Assert.ThrowsAsync<AwsServiceException>(() => client.CompleteLifecycleActionAsync("g", "h", "i", true, CancellationToken.None));

        Assert.Equal("ValidationError", e.ErrorCode);
        Assert.Equal(AwsErrorCategory.Request, e.Category);
        Assert.Contains("No active Lifecycle Action", e.Message, StringComparison.Ordinal);
    }
}
