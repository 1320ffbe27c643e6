using Amazon.CDK;
using Amazon.CDK.AWS.AutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Constructs;

namespace TrainingWorkers.Deploy;

/// <summary>
/// Scaling on backlog per instance: target tracking on (queued + in-flight messages) / instances in service, with
/// target = jobs per instance. In-flight messages count because a running job's message is in flight: AWS's
/// visible-only example would see no backlog under a busy fleet and scale it in. Target tracking multiplies the
/// current capacity, so from zero it never adds one: a step policy sets the group to one instance when messages
/// wait and none is wanted. CDK's L2 target tracking rejects metric math, hence the L1 policy.
/// </summary>
public sealed class BacklogScaling : Construct
{
    internal BacklogScaling(Construct scope, string id, WorkerGroup group, string queueName, double jobsPerInstance) : base(scope, id)
    {
        static CfnScalingPolicy.TargetTrackingMetricDataQueryProperty Query(string queryId, string ns, string metric, string dimension, string value) => new()
        {
            Id = queryId, ReturnData = false,
            MetricStat = new CfnScalingPolicy.TargetTrackingMetricStatProperty
            {
                Stat = "Average",
                Metric = new CfnScalingPolicy.MetricProperty
                {
                    Namespace = ns, MetricName = metric, Dimensions = new object[] { new CfnScalingPolicy.MetricDimensionProperty { Name = dimension, Value = value } },
                },
            },
        };

        TargetTracking = new CfnScalingPolicy(this, "BacklogPerInstance", new CfnScalingPolicyProps
        {
            AutoScalingGroupName = group.GroupName,
            PolicyType = "TargetTrackingScaling",
            TargetTrackingConfiguration = new CfnScalingPolicy.TargetTrackingConfigurationProperty
            {
                TargetValue = jobsPerInstance,
                CustomizedMetricSpecification = new CfnScalingPolicy.CustomizedMetricSpecificationProperty
                {
                    Metrics = new object[]
                    {
                        Query("visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queueName),
                        Query("inflight", "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", queueName),
                        Query("inservice", "AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", group.GroupName),
                        new CfnScalingPolicy.TargetTrackingMetricDataQueryProperty
                        {
                            Id = "backlogperinstance", Label = "jobs (queued + running) per instance in service", ReturnData = true,
                            Expression = BacklogPerInstanceExpression,
                        },
                    },
                },
            },
        });

        ScaleFromZero = new CfnScalingPolicy(this, "ScaleFromZero", new CfnScalingPolicyProps
        {
            AutoScalingGroupName = group.GroupName,
            PolicyType = "StepScaling",
            AdjustmentType = "ExactCapacity",
            MetricAggregationType = "Maximum",
            StepAdjustments = new object[] { new CfnScalingPolicy.StepAdjustmentProperty { MetricIntervalLowerBound = 0, ScalingAdjustment = 1 } },
        });

        Metric Sqs(string metric) => new(new MetricProps
        {
            Namespace = "AWS/SQS", MetricName = metric, Statistic = "Average", Period = Duration.Seconds(FleetDefaults.ScaleFromZeroPeriodSeconds),
            DimensionsMap = new Dictionary<string, string> { ["QueueName"] = queueName },
        });
        var wakeUp = new Alarm(this, "JobsWaitingWithNoInstance", new AlarmProps
        {
            AlarmDescription = "Jobs wait and the group wants no instance: the scale-from-zero policy sets it to one (target tracking takes over from there)",
            Metric = new MathExpression(new MathExpressionProps
            {
                Expression = ScaleFromZeroExpression, Label = "jobs waiting with no instance wanted", Period = Duration.Seconds(FleetDefaults.ScaleFromZeroPeriodSeconds),
                UsingMetrics = new Dictionary<string, IMetric>
                {
                    ["visible"] = Sqs("ApproximateNumberOfMessagesVisible"),
                    ["inflight"] = Sqs("ApproximateNumberOfMessagesNotVisible"),
                    ["desired"] = new Metric(new MetricProps
                    {
                        Namespace = "AWS/AutoScaling", MetricName = "GroupDesiredCapacity", Statistic = "Average", Period = Duration.Seconds(FleetDefaults.ScaleFromZeroPeriodSeconds),
                        DimensionsMap = new Dictionary<string, string> { ["AutoScalingGroupName"] = group.GroupName },
                    }),
                },
            }),
            Threshold = 1, ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            EvaluationPeriods = FleetDefaults.ScaleFromZeroEvaluationPeriods, DatapointsToAlarm = FleetDefaults.ScaleFromZeroEvaluationPeriods,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
        ((CfnAlarm)wakeUp.Node.DefaultChild!).AlarmActions = [ScaleFromZero.AttrArn];
    }

    /// <summary>Jobs queued or running per instance in service; with none in service, the jobs themselves (so the metric exists from zero).</summary>
    public const string BacklogPerInstanceExpression = "IF(inservice > 0, (visible + inflight) / inservice, visible + inflight)";

    /// <summary>1 while jobs wait and the group wants no instance, else 0.</summary>
    public const string ScaleFromZeroExpression = "IF(desired == 0 AND (visible + inflight) > 0, 1, 0)";

    public CfnScalingPolicy TargetTracking { get; }
    public CfnScalingPolicy ScaleFromZero { get; }
}
