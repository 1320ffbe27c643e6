namespace TrainingWorkers.Aws;

/// <summary>
/// Every AWS operation this code calls, with the IAM actions it needs, the resources it touches and who calls it.
/// The owners of the clients keep it: a test reads the compiled code and fails when a client calls an operation
/// missing here (or this lists one nothing calls), and the deploy stack grants the worker's role exactly the
/// actions marked <see cref="AwsCaller.Worker"/>, on exactly their resources (the coordinator's managed policy, those
/// marked <see cref="AwsCaller.Coordinator"/>).
/// </summary>
public static class IamActions
{
    private const AwsCaller W = AwsCaller.Worker;
    private const AwsCaller S = AwsCaller.Submitter;
    private const AwsCaller O = AwsCaller.Operator;
    private const AwsCaller C = AwsCaller.Coordinator;
    private const AwsCaller None = AwsCaller.None;

    private static readonly FleetResource[] Jobs = [FleetResource.JobsQueue];
    private static readonly FleetResource[] Queues = [FleetResource.JobsQueue, FleetResource.DeadLetterQueue];
    private static readonly FleetResource[] Table = [FleetResource.JobsTable];
    private static readonly FleetResource[] Logs = [FleetResource.JobLogGroup];
    private static readonly FleetResource[] Group = [FleetResource.WorkerGroup];

    public static IReadOnlyList<AwsOperation> All { get; } =
    [
        // SQS (AWSSDK.SQS). A hand-off or a renewal sends the job again; dead-lettering finds the DLQ by name and sends there.
        new("sqs", "ReceiveMessage", ["sqs:ReceiveMessage"], Jobs, W),
        new("sqs", "DeleteMessage", ["sqs:DeleteMessage"], Jobs, W),
        new("sqs", "ChangeMessageVisibility", ["sqs:ChangeMessageVisibility"], Jobs, W),
        new("sqs", "SendMessage", ["sqs:SendMessage"], Queues, W | S | C),
        new("sqs", "GetQueueAttributes", ["sqs:GetQueueAttributes"], Queues, W | S | O),
        new("sqs", "GetQueueUrl", ["sqs:GetQueueUrl"], Queues, W | O),
        new("sqs", "CreateQueue", ["sqs:CreateQueue"], Queues, O),

        // S3: datasets are read, each job's prefix is read and written (checkpoints, pruning, models, reports).
        new("s3", "GetObject", ["s3:GetObject"], [FleetResource.JobObjects, FleetResource.DataObjects], W | C),
        new("s3", "HeadObject", ["s3:GetObject"], [FleetResource.JobObjects, FleetResource.DataObjects], W | C),
        new("s3", "ListObjectsV2", ["s3:ListBucket"], [FleetResource.Bucket], W | C),
        // Checkpoints are written with a tag (the lifecycle rule's filter): tagging on upload needs s3:PutObjectTagging.
        new("s3", "PutObject", ["s3:PutObject", "s3:PutObjectTagging"], [FleetResource.JobObjects], W),
        new("s3", "CreateMultipartUpload", ["s3:PutObject", "s3:PutObjectTagging"], [FleetResource.JobObjects], W),
        new("s3", "UploadPart", ["s3:PutObject"], [FleetResource.JobObjects], W),
        new("s3", "CompleteMultipartUpload", ["s3:PutObject"], [FleetResource.JobObjects], W),
        new("s3", "AbortMultipartUpload", ["s3:AbortMultipartUpload"], [FleetResource.JobObjects], W),
        // The coordinator writes its studies' reports beside the jobs, under their own prefix.
        new("s3", "PutObject", ["s3:PutObject"], [FleetResource.StudyObjects], C),
        new("s3", "DeleteObject", ["s3:DeleteObject"], [FleetResource.JobObjects], W),
        new("s3", "DeleteObjects", ["s3:DeleteObject"], [FleetResource.JobObjects], W),
        new("s3", "HeadBucket", ["s3:ListBucket"], [FleetResource.Bucket], O),
        new("s3", "CreateBucket", ["s3:CreateBucket"], [FleetResource.Bucket], O),

        // DynamoDB. A transaction needs the actions of its items: the code's put a record, update another, and check a
        // third (a worker's epoch item is put with a check of its lease; a gang's node joins only while the job runs under
        // its gang's token). Workers put and delete their registration.
        new("dynamodb", "GetItem", ["dynamodb:GetItem"], Table, W | S | C),
        new("dynamodb", "PutItem", ["dynamodb:PutItem"], Table, W),
        new("dynamodb", "UpdateItem", ["dynamodb:UpdateItem"], Table, W | S | C),
        new("dynamodb", "DeleteItem", ["dynamodb:DeleteItem"], Table, W),
        new("dynamodb", "Query", ["dynamodb:Query"], Table, W | S | C),
        new("dynamodb", "TransactWriteItems", ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"], Table, W | S | C),
        new("dynamodb", "Scan", ["dynamodb:Scan"], Table, S),
        new("dynamodb", "CreateTable", ["dynamodb:CreateTable"], Table, O),
        new("dynamodb", "DescribeTable", ["dynamodb:DescribeTable"], Table, O),

        // CloudWatch and CloudWatch Logs.
        new("cloudwatch", "PutMetricData", ["cloudwatch:PutMetricData"], [FleetResource.MetricsNamespace], W),
        new("cloudwatch", "GetMetricData", ["cloudwatch:GetMetricData"], [FleetResource.Any], None),
        new("logs", "CreateLogStream", ["logs:CreateLogStream"], Logs, W),
        new("logs", "PutLogEvents", ["logs:PutLogEvents"], Logs, W),
        new("logs", "GetLogEvents", ["logs:GetLogEvents"], Logs, S),
        new("logs", "DescribeLogStreams", ["logs:DescribeLogStreams"], Logs, S),
        new("logs", "CreateLogGroup", ["logs:CreateLogGroup"], Logs, O),

        // Auto Scaling: the worker's own instance. Describe calls cannot be limited to a group.
        new("autoscaling", "DescribeAutoScalingInstances", ["autoscaling:DescribeAutoScalingInstances"], [FleetResource.Any], W),
        new("autoscaling", "SetInstanceProtection", ["autoscaling:SetInstanceProtection"], Group, W),
        new("autoscaling", "RecordLifecycleActionHeartbeat", ["autoscaling:RecordLifecycleActionHeartbeat"], Group, W),
        new("autoscaling", "CompleteLifecycleAction", ["autoscaling:CompleteLifecycleAction"], Group, W),
    ];

    /// <summary>The operations <paramref name="caller"/> makes.</summary>
    public static IReadOnlyList<AwsOperation> CalledBy(AwsCaller caller) => All.Where(o => (o.Callers & caller) != 0).ToList();
}
