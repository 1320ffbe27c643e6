using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SQS;
using Constructs;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.DynamoDb;
using TrainingWorkers.Aws.S3;

namespace TrainingWorkers.Deploy;

/// <summary>
/// The data plane: the jobs queue and its dead-letter queue, the bucket, the jobs table, the jobs' log group, the
/// alarm topic, the job alarms and dashboard, and the submitters' policy. It holds no Auto Scaling group, so it
/// can be created on its own (and in moto, whose CloudFormation fails on groups); the fleet stack uses it.
/// </summary>
public sealed class DataPlaneStack : Stack
{
    /// <summary>Key prefixes in the bucket: datasets users upload, and each job's checkpoints, model and reports.</summary>
    public const string DataPrefix = "datasets";
    public const string JobsPrefix = "jobs";
    /// <summary>Where the coordinator writes its studies' reports (<c>S3StudyArtifacts</c>).</summary>
    public const string StudiesPrefix = "studies";

    /// <summary>Receives of a job's message before it is dead-lettered (the worker renews a running job's message before this).</summary>
    public const int MaxReceiveCount = 5;

    internal DataPlaneStack(Construct scope, string id, FleetSettings settings, IStackProps props) : base(scope, id, props)
    {
        var names = settings.Names;
        MetricsNamespace = new MetricsOptions().Namespace;
        var alarmEmail = new CfnParameter(this, "AlarmEmail", new CfnParameterProps
        {
            Type = "String", Default = "", Description = "An e-mail address for the alarms (confirm the subscription mail); empty for none",
            AllowedPattern = "^$|^[^@\\s]+@[^@\\s]+$",
        });
        var checkpointDays = new CfnParameter(this, "CheckpointRetentionDays", new CfnParameterProps
        {
            Type = "Number", Default = 30, MinValue = 1, Description = "Days after which checkpoints (objects tagged tw-kind=checkpoint) expire; models and reports stay",
        });

        AlarmTopic = new Topic(this, "AlarmTopic", new TopicProps { DisplayName = $"TrainingWorkers {settings.Fleet} alarms", EnforceSSL = true });
        var hasEmail = new CfnCondition(this, "HasAlarmEmail", new CfnConditionProps { Expression = Fn.ConditionNot(Fn.ConditionEquals(alarmEmail.ValueAsString, "")) });
        new CfnSubscription(this, "AlarmEmailSubscription", new CfnSubscriptionProps
        {
            TopicArn = AlarmTopic.TopicArn, Protocol = "email", Endpoint = alarmEmail.ValueAsString,
        }).CfnOptions.Condition = hasEmail;

        DeadLetterQueue = new Queue(this, "DeadLetterQueue", new QueueProps
        {
            QueueName = names.DeadLetterQueue, Encryption = QueueEncryption.SQS_MANAGED, EnforceSSL = true,
            // Dead letters wait for a person; SQS's longest retention, counted from the first send.
            RetentionPeriod = Duration.Days(14),
        });
        JobsQueue = new Queue(this, "JobsQueue", new QueueProps
        {
            QueueName = names.JobsQueue, Encryption = QueueEncryption.SQS_MANAGED, EnforceSSL = true,
            // The worker sets each receive's visibility to its lease; this is only the default for other consumers.
            VisibilityTimeout = Duration.Seconds(60),
            // A job may wait long while the fleet is at its maximum: keep messages as long as SQS allows.
            RetentionPeriod = Duration.Days(14),
            DeadLetterQueue = new DeadLetterQueue { Queue = DeadLetterQueue, MaxReceiveCount = MaxReceiveCount },
        });

        Bucket = new Bucket(this, "Artifacts", new BucketProps
        {
            // No name: bucket names are global, so CloudFormation makes a unique one (the output BucketName).
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL, Encryption = BucketEncryption.S3_MANAGED, EnforceSSL = true,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED, RemovalPolicy = RemovalPolicy.RETAIN,
            LifecycleRules =
            [
                new LifecycleRule { Id = "AbortIncompleteUploads", AbortIncompleteMultipartUploadAfter = Duration.Days(7) },
                new LifecycleRule
                {
                    Id = "ExpireOldCheckpoints", Prefix = JobsPrefix + "/", Expiration = Duration.Days(checkpointDays.ValueAsNumber),
                    TagFilters = new Dictionary<string, object> { [CheckpointTag.Key] = CheckpointTag.Value },
                },
            ],
        });

        Table = new Table(this, "JobsTable", new TableProps
        {
            TableName = names.JobsTable,
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = JobTableSchema.PartitionKey, Type = AttributeType.STRING },
            SortKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = JobTableSchema.SortKey, Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST, PointInTimeRecovery = true, DeletionProtection = true, RemovalPolicy = RemovalPolicy.RETAIN,
        });

        JobLogGroup = new LogGroup(this, "JobLogs", new LogGroupProps
        {
            LogGroupName = names.JobLogGroup, Retention = RetentionDays.ONE_MONTH, RemovalPolicy = RemovalPolicy.RETAIN,
        });

        var submitters = new ManagedPolicy(this, "SubmitterPolicy", new ManagedPolicyProps
        {
            Description = $"What tw submit, status, list, cancel, wait and logs need on the {settings.Fleet} fleet",
            Statements = [.. FleetPolicy.Statements(IamActions.CalledBy(AwsCaller.Submitter), ArnsOf, MetricsNamespace)],
        });

        var coordinators = new ManagedPolicy(this, "CoordinatorPolicy", new ManagedPolicyProps
        {
            Description = $"What tw-coordinator needs on the {settings.Fleet} fleet: studies and their jobs, checkpoints read, reports written",
            Statements = [.. FleetPolicy.Statements(IamActions.CalledBy(AwsCaller.Coordinator), ArnsOf, MetricsNamespace)],
        });

        JobsMonitoring.Add(this, settings, AlarmTopic);
        Output(DataPlaneOutputs.JobsQueueUrl, JobsQueue.QueueUrl, "the jobs queue: Aws:Queue:QueueUrl, tw --queue-url");
        Output(DataPlaneOutputs.JobsQueueName, JobsQueue.QueueName, "the jobs queue's name");
        Output(DataPlaneOutputs.DeadLetterQueueUrl, DeadLetterQueue.QueueUrl, "the dead-letter queue");
        Output(DataPlaneOutputs.BucketName, Bucket.BucketName, "data, checkpoints and models: Aws:S3:Bucket");
        Output(DataPlaneOutputs.JobsTableName, Table.TableName, "the jobs table: Aws:JobTable:TableName, tw --table");
        Output(DataPlaneOutputs.JobLogGroupName, JobLogGroup.LogGroupName, "the jobs' logs: Aws:Logs:GroupName, tw logs --log-group");
        Output(DataPlaneOutputs.MetricsNamespace, MetricsNamespace, "the metrics' namespace: Aws:Metrics:Namespace");
        Output(DataPlaneOutputs.AlarmTopicArn, AlarmTopic.TopicArn, "the alarms' SNS topic");
        Output(DataPlaneOutputs.SubmitterPolicyArn, submitters.ManagedPolicyArn, "attach to the users and roles that submit and watch jobs");
        Output(DataPlaneOutputs.CoordinatorPolicyArn, coordinators.ManagedPolicyArn, "attach to the role tw-coordinator runs as");
    }

    public Queue JobsQueue { get; }
    public Queue DeadLetterQueue { get; }
    public Bucket Bucket { get; }
    public Table Table { get; }
    public LogGroup JobLogGroup { get; }
    public Topic AlarmTopic { get; }
    public string MetricsNamespace { get; }

    /// <summary>The ARNs of a data-plane resource, for IAM statements.</summary>
    internal string[] ArnsOf(FleetResource resource) => resource switch
    {
        FleetResource.JobsQueue => [JobsQueue.QueueArn],
        FleetResource.DeadLetterQueue => [DeadLetterQueue.QueueArn],
        FleetResource.Bucket => [Bucket.BucketArn],
        FleetResource.JobObjects => [Bucket.ArnForObjects(JobsPrefix + "/*")],
        FleetResource.DataObjects => [Bucket.ArnForObjects(DataPrefix + "/*")],
        FleetResource.StudyObjects => [Bucket.ArnForObjects(StudiesPrefix + "/*")],
        FleetResource.JobsTable => [Table.TableArn, .. JobTableSchema.GlobalSecondaryIndexes.Select(i => $"{Table.TableArn}/index/{i}")],
        FleetResource.JobLogGroup => [JobLogGroup.LogGroupArn],
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "not a data-plane resource"),
    };

    private void Output(string name, string value, string description) =>
        new CfnOutput(this, name, new CfnOutputProps { Value = value, Description = description });
}
