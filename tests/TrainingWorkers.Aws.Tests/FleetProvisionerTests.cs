using Amazon.DynamoDBv2;
using Amazon.S3;
using Amazon.SQS;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Aws.Logs;
using TrainingWorkers.Aws.Provisioning;
using TrainingWorkers.Aws.Sqs;

namespace TrainingWorkers.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class FleetProvisionerTests
{
    private readonly MotoFixture _moto;

    public FleetProvisionerTests(MotoFixture moto) => _moto = moto;

    [Fact]
    public async Task Ensure_RunTwice_CreatesThenReusesQueueWithRedriveBucketTableAndLogGroup()
    {
        var (provisioner, sqs) = Provisioner();
        var prefix = Prefix();

        var first = await provisioner.EnsureAsync(prefix, 3, 45, CancellationToken.None);
        var second = await provisioner.EnsureAsync(prefix, 7, 90, CancellationToken.None);

        Assert.True(first is { QueueCreated: true, DeadLetterQueueCreated: true, BucketCreated: true, TableCreated: true, LogGroupCreated: true },
            first.ToString());
        Assert.True(second is { QueueCreated: false, DeadLetterQueueCreated: false, BucketCreated: false, TableCreated: false, LogGroupCreated: false },
            second.ToString());
        // A reused queue keeps what it was made with, and says so.
        Assert.Equal((45, 3, true), (second.VisibilityTimeoutSeconds, second.MaxReceiveCount, second.RedrivesToDeadLetterQueue));
        Assert.Equal((first.QueueUrl, first.DeadLetterQueueUrl), (second.QueueUrl, second.DeadLetterQueueUrl));
        Assert.EndsWith($"/{prefix}-jobs", first.QueueUrl, StringComparison.Ordinal);
        Assert.Equal(($"{prefix}-artifacts", $"{prefix}-jobs", $"/trainingworkers/{prefix}/jobs"), (first.Bucket, first.Table, first.LogGroup));
        var dlqArn = (await sqs.GetQueueAttributesAsync(first.DeadLetterQueueUrl, ["QueueArn", "MessageRetentionPeriod"])).Attributes;
        var redrive = SqsRedrivePolicy.Parse((await sqs.GetQueueAttributesAsync(first.QueueUrl, ["RedrivePolicy"])).Attributes["RedrivePolicy"]);
        Assert.Equal(dlqArn["QueueArn"], redrive.DeadLetterTargetArn);
        Assert.Equal("1209600", dlqArn["MessageRetentionPeriod"]);
    }

    [Fact]
    public async Task Ensure_ExistingQueueWithoutRedrive_ReportedAsNotDeadLettering()
    {
        var (provisioner, sqs) = Provisioner();
        var prefix = Prefix();
        await sqs.CreateQueueAsync($"{prefix}-jobs");

        var fleet = await provisioner.EnsureAsync(prefix, 5, 60, CancellationToken.None);

        Assert.False(fleet.QueueCreated);
        Assert.False(fleet.RedrivesToDeadLetterQueue);
        Assert.Null(fleet.MaxReceiveCount);
    }

    [Theory]
    [InlineData("Upper", 5, 60)]
    [InlineData("-dash", 5, 60)]
    [InlineData("ok", 0, 60)]
    [InlineData("ok", 5, 43_201)]
    public async Task Ensure_BadArguments_RefusedBeforeAnyCall(string prefix, int maxReceives, int visibility)
    {
        var (provisioner, _) = Provisioner();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => provisioner.EnsureAsync(prefix, maxReceives, visibility, CancellationToken.None));
    }

    private (FleetProvisioner Provisioner, IAmazonSQS Sqs) Provisioner()
    {
        var connection = _moto.Connection();
        var sqs = connection.CreateClient<IAmazonSQS>();
        var logs = new JobLogs(new CloudWatchLogsClient(connection.CreateSignedClient("logs"), connection), connection.Options.Logs, TimeProvider.System,
            NullLoggerFactory.Instance);
        return (new FleetProvisioner(sqs, connection.CreateClient<IAmazonS3>(), connection.CreateClient<IAmazonDynamoDB>(), logs), sqs);
    }

    private static string Prefix() => "p" + Guid.NewGuid().ToString("N")[..12];
}
