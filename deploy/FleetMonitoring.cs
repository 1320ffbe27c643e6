using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;
using TrainingWorkers.Aws.CloudWatch;

namespace TrainingWorkers.Deploy;

/// <summary>
/// The fleet's side of monitoring (it names the Auto Scaling group, so it lives in the fleet stack): alarms when a
/// worker in service stops heart-beating and when instances in service stay below the desired count, and a
/// dashboard of backlog per instance, capacity, instances by type and market, and the GPUs' utilization and memory
/// as the image's CloudWatch agent publishes them.
/// </summary>
internal static class FleetMonitoring
{
    public static void Add(Stack stack, FleetSettings settings, string groupName, string queueName, string metricsNamespace, ITopic topic, CloudWatchAgentConfiguration agent)
    {
        Metric Group(string metric, string label) => new(new MetricProps
        {
            Namespace = "AWS/AutoScaling", MetricName = metric, Statistic = "Average", Period = Duration.Minutes(1), Label = label,
            DimensionsMap = new Dictionary<string, string> { ["AutoScalingGroupName"] = groupName },
        });
        Metric Sqs(string metric) => new(new MetricProps
        {
            Namespace = "AWS/SQS", MetricName = metric, Statistic = "Average", Period = Duration.Minutes(1),
            DimensionsMap = new Dictionary<string, string> { ["QueueName"] = queueName },
        });
        var inService = Group("GroupInServiceInstances", "in service");
        var desired = Group("GroupDesiredCapacity", "desired");
        var heartbeats = new Metric(new MetricProps
        {
            Namespace = metricsNamespace, MetricName = FleetMetricNames.WorkerHeartbeat, Statistic = "Sum", Period = Duration.Minutes(1), Label = "workers heart-beating",
        });

        // Booting takes minutes: only a gap that lasts 15 minutes is a worker that died or hangs.
        Alarm(stack, topic, "WorkerStoppedHeartbeating", "Instances in service outnumber the workers heart-beating for 15 minutes: a worker died or hangs "
            + $"(its log: CloudWatch Logs {string.Join(", ", agent.LogGroups)}, stream = instance id; on the instance /var/log/trainingworkers/worker.log and systemctl status tw-worker)",
            new MathExpression(new MathExpressionProps
            {
                Expression = "inservice - FILL(beats, 0)", Label = "instances in service without a live worker", Period = Duration.Minutes(1),
                UsingMetrics = new Dictionary<string, IMetric> { ["inservice"] = inService, ["beats"] = heartbeats },
            }), 15);
        Alarm(stack, topic, "InServiceBelowDesired", "Fewer instances in service than desired for 30 minutes: Spot capacity, a vCPU quota, or launches failing (see the group's activity)",
            new MathExpression(new MathExpressionProps
            {
                Expression = "desired - inservice", Label = "instances missing", Period = Duration.Minutes(1),
                UsingMetrics = new Dictionary<string, IMetric> { ["desired"] = desired, ["inservice"] = inService },
            }), 30);

        var dashboard = new Dashboard(stack, "FleetDashboard", new DashboardProps { DashboardName = $"{settings.Fleet}-fleet" });
        dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Backlog per instance (the scaling metric; target = jobs per instance)", Width = 12,
                Left = [new MathExpression(new MathExpressionProps
                {
                    Expression = BacklogScaling.BacklogPerInstanceExpression, Label = "jobs per instance", Period = Duration.Minutes(1),
                    UsingMetrics = new Dictionary<string, IMetric>
                    {
                        ["visible"] = Sqs("ApproximateNumberOfMessagesVisible"), ["inflight"] = Sqs("ApproximateNumberOfMessagesNotVisible"), ["inservice"] = inService,
                    },
                })],
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Instances: desired, in service, pending, heart-beating", Width = 12,
                Left = [desired, inService, Group("GroupPendingInstances", "pending"), heartbeats],
            }));
        dashboard.AddWidgets(new GraphWidget(new GraphWidgetProps
        {
            Title = "Workers by instance type and market", Width = 24, Stacked = true,
            Left = [new MathExpression(new MathExpressionProps
            {
                Expression = $"SEARCH('{{{metricsNamespace},{FleetMetricNames.InstanceType},{FleetMetricNames.Market}}} MetricName=\"{FleetMetricNames.WorkerHeartbeat}\"', 'Sum', 60)",
                Label = "", UsingMetrics = new Dictionary<string, IMetric>(),
            })],
        }));
        dashboard.AddWidgets(GpuWidgets(groupName, agent));
    }

    /// <summary>
    /// The image's CloudWatch agent publishes nvidia-smi's measurements per GPU and rolled up per Auto Scaling group
    /// (its aggregation_dimensions): these read the group's roll-up, by the names and dimensions the agent's file gives.
    /// </summary>
    private static IWidget[] GpuWidgets(string groupName, CloudWatchAgentConfiguration agent)
    {
        const string Group = "AutoScalingGroupName";
        agent.RequireAggregation(Group);
        Metric Gpu(string measurement, string statistic, string label) => new(new MetricProps
        {
            Namespace = agent.Namespace, MetricName = agent.GpuMetric(measurement), Statistic = statistic, Period = Duration.Minutes(1), Label = label,
            DimensionsMap = new Dictionary<string, string> { [Group] = groupName },
        });
        return
        [
            new GraphWidget(new GraphWidgetProps
            {
                Title = "GPU utilization (%, every GPU of the group)", Width = 12, LeftYAxis = new YAxisProps { Min = 0, Max = 100 },
                Left = [Gpu("utilization_gpu", "Average", "average"), Gpu("utilization_gpu", "Minimum", "least busy GPU")],
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "GPU memory in use (% of the group's GPU memory)", Width = 12, LeftYAxis = new YAxisProps { Min = 0, Max = 100 },
                Left = [new MathExpression(new MathExpressionProps
                {
                    Expression = "100 * used / total", Label = "memory in use", Period = Duration.Minutes(1),
                    UsingMetrics = new Dictionary<string, IMetric> { ["used"] = Gpu("memory_used", "Sum", "used"), ["total"] = Gpu("memory_total", "Sum", "total") },
                })],
            }),
        ];
    }

    private static void Alarm(Stack stack, ITopic topic, string id, string description, IMetric metric, int minutes)
    {
        var alarm = new Alarm(stack, id, new AlarmProps
        {
            AlarmDescription = description, Metric = metric, Threshold = 1, ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            EvaluationPeriods = minutes, DatapointsToAlarm = minutes, TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(new SnsAction(topic));
        alarm.AddOkAction(new SnsAction(topic));
    }
}
