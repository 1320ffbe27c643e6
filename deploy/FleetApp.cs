using Amazon.CDK;

namespace TrainingWorkers.Deploy;

/// <summary>The CDK app: the data plane stack (<c>{fleet}-data</c>) and the fleet stack beside it (<c>{fleet}-fleet</c>).</summary>
public sealed class FleetApp
{
    private FleetApp(App app, DataPlaneStack data, FleetStack fleet) => (App, DataPlane, Fleet) = (app, data, fleet);

    public App App { get; }
    public DataPlaneStack DataPlane { get; }
    public FleetStack Fleet { get; }

    /// <summary>Builds both stacks; <paramref name="context"/> adds CDK context (fleet, instanceTypes, p3InstanceTypes, p3AmiParameter).</summary>
    public static FleetApp Create(IDictionary<string, object>? context = null, string? outdir = null)
    {
        var app = new App(new AppProps { Context = context, Outdir = outdir, AnalyticsReporting = false });
        var settings = FleetSettings.FromContext(key => app.Node.TryGetContext(key) as string);
        // No assets: templates alone. No bootstrap-version rule, so the data plane also deploys where there is no
        // bootstrap (the emulator); `cdk deploy` still uses the bootstrap bucket for large templates.
        StackProps Props(string description) => new()
        {
            Description = description,
            Synthesizer = new DefaultStackSynthesizer(new DefaultStackSynthesizerProps { GenerateBootstrapVersionRule = false }),
        };
        var data = new DataPlaneStack(app, settings.Fleet + "-data", settings, Props($"TrainingWorkers {settings.Fleet}: jobs queue, bucket, table, job logs, alarms"));
        var fleet = new FleetStack(app, settings.Fleet + "-fleet", settings, data, Props($"TrainingWorkers {settings.Fleet}: the GPU workers' Auto Scaling group, scaling, IAM, dashboard"));
        Tags.Of(app).Add("trainingworkers:fleet", settings.Fleet);
        return new FleetApp(app, data, fleet);
    }
}
