using System.Xml.Linq;

namespace TrainingWorkers.Aws.Instance;

/// <summary>
/// The few Auto Scaling calls a worker makes about its own instance, over the query protocol (the
/// AWSSDK.AutoScaling package is not available here): scale-in protection while it trains, and the
/// heartbeat and completion of a terminating lifecycle action so a job can checkpoint before the instance goes.
/// </summary>
public sealed class AutoScalingClient
{
    private readonly AwsQueryClient _query;

    internal AutoScalingClient(HttpClient signedHttp, AwsConnection connection)
    {
        _query = new AwsQueryClient(signedHttp, connection, connection.EndpointFor("autoscaling"), "autoscaling", "2011-01-01");
    }

    /// <summary>The Auto Scaling group of an instance, or null if it belongs to none.</summary>
    public async Task<string?> GetGroupNameAsync(string instanceId, CancellationToken cancellationToken)
    {
        var doc = await _query.SendAsync("DescribeAutoScalingInstances", [new("InstanceIds.member.1", instanceId)], cancellationToken).ConfigureAwait(false);
        return doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "AutoScalingGroupName")?.Value;
    }

    /// <summary>Whether Auto Scaling is barred from picking the instance when it scales in.</summary>
    public async Task<bool?> IsProtectedFromScaleInAsync(string instanceId, CancellationToken cancellationToken)
    {
        var doc = await _query.SendAsync("DescribeAutoScalingInstances", [new("InstanceIds.member.1", instanceId)], cancellationToken).ConfigureAwait(false);
        var value = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "ProtectedFromScaleIn")?.Value;
        return value is null ? null : bool.Parse(value);
    }

    /// <summary>Protects the instance from scale-in while it trains (or lifts the protection when idle).</summary>
    public Task SetScaleInProtectionAsync(string groupName, string instanceId, bool protect, CancellationToken cancellationToken) =>
        _query.SendAsync("SetInstanceProtection",
        [
            new("AutoScalingGroupName", groupName), new("InstanceIds.member.1", instanceId),
            new("ProtectedFromScaleIn", protect ? "true" : "false"),
        ], cancellationToken);

    /// <summary>Extends a pending lifecycle action (e.g. termination) by the hook's heartbeat timeout.</summary>
    public Task RecordLifecycleHeartbeatAsync(string groupName, string hookName, string instanceId, CancellationToken cancellationToken) =>
        _query.SendAsync("RecordLifecycleActionHeartbeat",
            [new("AutoScalingGroupName", groupName), new("LifecycleHookName", hookName), new("InstanceId", instanceId)], cancellationToken);

    /// <summary>Lets the lifecycle action go on (<paramref name="proceed"/>: CONTINUE) or abandons it (ABANDON).</summary>
    public Task CompleteLifecycleActionAsync(string groupName, string hookName, string instanceId, bool proceed, CancellationToken cancellationToken) =>
        _query.SendAsync("CompleteLifecycleAction",
        [
            new("AutoScalingGroupName", groupName), new("LifecycleHookName", hookName), new("InstanceId", instanceId),
            new("LifecycleActionResult", proceed ? "CONTINUE" : "ABANDON"),
        ], cancellationToken);

    /// <summary>Any other action, for tools and tests (e.g. creating a group on an emulator).</summary>
    internal Task<XDocument> SendAsync(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken) =>
        _query.SendAsync(action, parameters, cancellationToken);
}
