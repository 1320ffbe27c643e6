using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;
using TrainingWorkers.Aws.CloudWatch;

namespace TrainingWorkers.Deploy;

/// <summary>
/// The jobs' side of monitoring, in the data plane (it names no Auto Scaling group): alarms on the dead-letter
/// queue, the oldest message and failing jobs, and a dashboard of the queues, outcomes and running jobs' curves.
/// </summary>
internal static class JobsMonitoring
{
    public static void Add(DataPlaneStack stack, FleetSettings settings, ITopic topic)
    {
        var ns = stack.MetricsNamespace;
        var oldestHours = new CfnParameter(stack, "OldestJobAlarmHours", new CfnParameterProps
        {
            Type = "Number", Default = 12, MinValue = 1, MaxValue = 336,
            // A running job's message is in flight and counts; the worker replaces it every 11 hours, so only a job waiting (or a stuck one) gets older.
            Description = "Alarm when the jobs queue's oldest message is older than this many hours",
        });
        var failedThreshold = new CfnParameter(stack, "FailedJobsAlarmThreshold", new CfnParameterProps
        {
            Type = "Number", Default = 3, MinValue = 1, Description = "Alarm when this many job attempts fail for good within 15 minutes",
        });

        var visible = Sqs(stack.JobsQueue.QueueName, "ApproximateNumberOfMessagesVisible", "queued");
        var inFlight = Sqs(stack.JobsQueue.QueueName, "ApproximateNumberOfMessagesNotVisible", "in flight (running)");
        var dead = Sqs(stack.DeadLetterQueue.QueueName, "ApproximateNumberOfMessagesVisible", "dead letters");
        var failed = new Metric(new MetricProps
        {
            Namespace = ns, MetricName = FleetMetricNames.JobsEnded, Statistic = "Sum", Period = Duration.Minutes(15),
            DimensionsMap = new Dictionary<string, string> { [FleetMetricNames.Outcome] = FleetMetricNames.FailedOutcome },
        });

        Alarm(stack, topic, "DeadLetterQueueNotEmpty", "A job's message was dead-lettered (it failed every attempt, or is not a job): look at it with aws sqs receive-message",
            dead.With(new MetricOptions { Statistic = "Maximum", Period = Duration.Minutes(1) }), 1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 1);
        // CloudFormation cannot multiply a parameter: the metric is turned into hours instead.
        var oldest = Sqs(stack.JobsQueue.QueueName, "ApproximateAgeOfOldestMessage", "oldest message (s)").With(new MetricOptions { Period = Duration.Minutes(5) });
        Alarm(stack, topic, "OldestJobTooOld", "The jobs queue's oldest message is older than the limit: the fleet is at its maximum, or no worker takes jobs",
            new MathExpression(new MathExpressionProps
            {
                Expression = "age / 3600", Label = "oldest message (hours)", Period = Duration.Minutes(5),
                UsingMetrics = new Dictionary<string, IMetric> { ["age"] = oldest },
            }),
            oldestHours.ValueAsNumber, ComparisonOperator.GREATER_THAN_THRESHOLD, 1);
        Alarm(stack, topic, "JobsFailing", "Job attempts are failing for good: tw status and tw logs on the failed jobs say why",
            failed, failedThreshold.ValueAsNumber, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 1);

        var search = (string metric, string label, string stat) => new MathExpression(new MathExpressionProps
        {
            Expression = $"SEARCH('Namespace=\"{ns}\" MetricName=\"{metric}\"', '{stat}', 300)", Label = label, UsingMetrics = new Dictionary<string, IMetric>(),
        });
        var dashboard = new Dashboard(stack, "JobsDashboard", new DashboardProps { DashboardName = $"{settings.Fleet}-jobs" });
        dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "Jobs queue: queued and running", Left = [visible, inFlight], Width = 12 }),
            new GraphWidget(new GraphWidgetProps { Title = "Dead-letter queue", Left = [dead], Width = 12 }));
        dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Job attempts by outcome", Width = 12,
                Left = [new MathExpression(new MathExpressionProps
                {
                    Expression = $"SEARCH('{{{ns},{FleetMetricNames.Outcome}}} MetricName=\"{FleetMetricNames.JobsEnded}\"', 'Sum', 300)",
                    Label = "", UsingMetrics = new Dictionary<string, IMetric>(),
                })],
            }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Jobs running (fleet)", Width = 12,
                Left = [new Metric(new MetricProps { Namespace = ns, MetricName = FleetMetricNames.JobsRunning, Statistic = "Sum", Period = Duration.Minutes(1), Label = "running" })],
            }));
        dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "Training loss of running jobs", Left = [search("train_loss", "train", "Average"), search("val_loss", "validation", "Average")], Width = 12 }),
            new GraphWidget(new GraphWidgetProps { Title = "Accuracy of running jobs", Left = [search("train_accuracy", "train", "Average"), search("val_accuracy", "validation", "Average")], Width = 12 }));
        // The GPUs' own utilization is on the fleet dashboard, which knows the Auto Scaling group the agent's metrics are rolled up by.
        dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "GPU memory in use per job (bytes)", Left = [search("gpu_memory_used", "", "Maximum")], Width = 24 }));
    }

    private static Metric Sqs(string queueName, string metric, string label) => new(new MetricProps
    {
        Namespace = "AWS/SQS", MetricName = metric, Statistic = "Maximum", Period = Duration.Minutes(1), Label = label,
        DimensionsMap = new Dictionary<string, string> { ["QueueName"] = queueName },
    });

    private static void Alarm(Stack stack, ITopic topic, string id, string description, IMetric metric, double threshold, ComparisonOperator comparison, int periods)
    {
        var alarm = new Alarm(stack, id, new AlarmProps
        {
            AlarmDescription = description, Metric = metric, Threshold = threshold, ComparisonOperator = comparison,
            EvaluationPeriods = periods, DatapointsToAlarm = periods, TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(new SnsAction(topic));
        alarm.AddOkAction(new SnsAction(topic));
    }
}
