using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.Instance;

namespace TrainingWorkers.Worker;

/// <summary>
/// The instance around the worker (on EC2): reads the spot interruption notice and the Auto Scaling target
/// lifecycle state from IMDS and stops the worker gracefully when either says the instance is going; protects
/// the instance from scale-in while a job runs; completes the termination lifecycle action after the hand-off.
/// Off the cloud (an emulator endpoint, or <see cref="WorkerOptions.UseInstanceMetadata"/> false) it does nothing.
/// </summary>
internal sealed class InstanceMonitor(
    ImdsClient imds, AutoScalingClient autoScaling, WorkerState state, IOptions<WorkerOptions> options, IOptions<AwsOptions> aws,
    IHostApplicationLifetime lifetime, ILogger<InstanceMonitor> logger) : BackgroundService
{
    private readonly WorkerOptions _options = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _instanceId;
    private string? _group;
    private bool? _protected;
    private bool _terminating;

    public bool Enabled => _options.UseInstanceMetadata ?? aws.Value.ServiceUrl is null;

    /// <summary>The instance's id, type and private address for the worker's identity, or nulls off EC2.</summary>
    public async Task<(string? InstanceId, string? InstanceType, string? Address)> DescribeAsync(CancellationToken cancellationToken)
    {
        if (!Enabled) return (null, null, null);
        string? type = null;
        try
        {
            _instanceId = await imds.GetInstanceIdAsync(cancellationToken).ConfigureAwait(false);
            type = await imds.GetInstanceTypeAsync(cancellationToken).ConfigureAwait(false);
            _group = await autoScaling.GetGroupNameAsync(_instanceId, cancellationToken).ConfigureAwait(false);
            return (_instanceId, type, await imds.GetPrivateAddressAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (AwsServiceException e)
        {
            Log.InstanceCallFailed(logger, e.Message);
            return (_instanceId, type, null);
        }
    }

    /// <summary>Protects the instance from scale-in while <paramref name="busy"/>; a no-op when nothing changes or outside a group.</summary>
    public async Task SetBusyAsync(bool busy, CancellationToken cancellationToken)
    {
        if (_group is null || _instanceId is null || _protected == busy) return;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_protected == busy) return;
            await autoScaling.SetScaleInProtectionAsync(_group, _instanceId, busy, cancellationToken).ConfigureAwait(false);
            _protected = busy;
            Log.Protection(logger, busy ? "on" : "off", _instanceId, _group);
        }
        catch (AwsServiceException e)
        {
            Log.InstanceCallFailed(logger, e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        using var timer = new PeriodicTimer(_options.InstancePollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                if (await imds.GetSpotInterruptionAsync(stoppingToken).ConfigureAwait(false) is { } spot)
                {
                    Stop($"spot interruption notice: {spot.Action} at {spot.Time:u}");
                    return;
                }

                if (await imds.GetTargetLifecycleStateAsync(stoppingToken).ConfigureAwait(false) == "Terminated")
                {
                    _terminating = true;
                    Stop("Auto Scaling is terminating the instance");
                    return;
                }
            }
            catch (AwsServiceException e)
            {
                Log.InstanceCallFailed(logger, e.Message);
            }
        }
    }

    /// <summary>Runs after the worker's own stop (hosted services stop in reverse order): the jobs are handed off by now.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!_terminating || _options.LifecycleHookName is not { } hook || _group is null || _instanceId is null) return;
        try
        {
            await autoScaling.CompleteLifecycleActionAsync(_group, hook, _instanceId, proceed: true, cancellationToken).ConfigureAwait(false);
            Log.LifecycleCompleted(logger, hook, _instanceId);
        }
        catch (AwsServiceException e)
        {
            Log.InstanceCallFailed(logger, e.Message);
        }
    }

    private void Stop(string notice)
    {
        Log.InstanceNotice(logger, notice);
        state.RequestStop(notice);
        lifetime.StopApplication();
    }
}
