using Amazon.CDK.Assertions;
using TrainingWorkers.Aws.S3;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>The data plane's resources and the settings an operator relies on.</summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed class DataPlaneTemplateTests(SynthesizedFleet synth)
{
    private Template T => synth.DataPlane;

    [Fact]
    public void JobsQueue_RedrivesToTheDeadLetterQueue_EncryptedAndKeptTwoWeeks()
    {
        T.HasResourceProperties("AWS::SQS::Queue", Match.ObjectLike(new Dictionary<string, object>
        {
            ["QueueName"] = "tw-jobs", ["SqsManagedSseEnabled"] = true, ["MessageRetentionPeriod"] = 1209600,
            ["RedrivePolicy"] = Match.ObjectLike(new Dictionary<string, object> { ["maxReceiveCount"] = DataPlaneStack.MaxReceiveCount }),
        }));
        T.HasResourceProperties("AWS::SQS::Queue", Match.ObjectLike(new Dictionary<string, object> { ["QueueName"] = "tw-jobs-dlq", ["SqsManagedSseEnabled"] = true }));
        // Both queues refuse requests without TLS.
        T.ResourceCountIs("AWS::SQS::QueuePolicy", 2);
    }

    [Fact]
    public void Bucket_Private_Encrypted_TlsOnly_AndOldCheckpointsExpireByTag()
    {
        T.HasResourceProperties("AWS::S3::Bucket", Match.ObjectLike(new Dictionary<string, object>
        {
            ["PublicAccessBlockConfiguration"] = new Dictionary<string, object>
            {
                ["BlockPublicAcls"] = true, ["BlockPublicPolicy"] = true, ["IgnorePublicAcls"] = true, ["RestrictPublicBuckets"] = true,
            },
            ["BucketEncryption"] = Match.ObjectLike(new Dictionary<string, object>()),
            ["LifecycleConfiguration"] = new Dictionary<string, object>
            {
                ["Rules"] = Match.ArrayWith([
                    Match.ObjectLike(new Dictionary<string, object> { ["AbortIncompleteMultipartUpload"] = new Dictionary<string, object> { ["DaysAfterInitiation"] = 7 } }),
                    Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["Prefix"] = "jobs/", ["ExpirationInDays"] = new Dictionary<string, object> { ["Ref"] = "CheckpointRetentionDays" },
                        ["TagFilters"] = new[] { new Dictionary<string, object> { ["Key"] = CheckpointTag.Key, ["Value"] = CheckpointTag.Value } },
                    }),
                ]),
            },
        }));
        T.HasResourceProperties("AWS::S3::BucketPolicy", Match.ObjectLike(new Dictionary<string, object>
        {
            ["PolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Effect"] = "Deny", ["Condition"] = new Dictionary<string, object> { ["Bool"] = new Dictionary<string, object> { ["aws:SecureTransport"] = "false" } },
                })]),
            }),
        }));
    }

    [Fact]
    public void Table_OnDemand_WithPointInTimeRecovery_Retained()
    {
        T.HasResource("AWS::DynamoDB::Table", Match.ObjectLike(new Dictionary<string, object>
        {
            ["DeletionPolicy"] = "Retain",
            ["Properties"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["BillingMode"] = "PAY_PER_REQUEST", ["DeletionProtectionEnabled"] = true,
                ["PointInTimeRecoverySpecification"] = new Dictionary<string, object> { ["PointInTimeRecoveryEnabled"] = true },
            }),
        }));
    }

    [Fact]
    public void Alarms_DeadLetters_OldestMessage_FailingJobs_AllNotifyTheTopic()
    {
        var alarms = SynthesizedFleet.Resources(synth.DataPlaneJson, "AWS::CloudWatch::Alarm");

        Assert.Equal(3, alarms.Count);
        Assert.All(alarms, a =>
        {
            Assert.Contains("AlarmTopic", a.Resource["Properties"]!["AlarmActions"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.Contains("AlarmTopic", a.Resource["Properties"]!["OKActions"]!.ToJsonString(), StringComparison.Ordinal);
        });
        T.HasResourceProperties("AWS::CloudWatch::Alarm", Match.ObjectLike(new Dictionary<string, object>
        {
            ["MetricName"] = "JobsEnded", ["Namespace"] = "TrainingWorkers", ["Threshold"] = new Dictionary<string, object> { ["Ref"] = "FailedJobsAlarmThreshold" },
            ["Dimensions"] = new[] { new Dictionary<string, object> { ["Name"] = "Outcome", ["Value"] = "failed" } },
        }));
        T.HasResourceProperties("AWS::SNS::Subscription", Match.ObjectLike(new Dictionary<string, object> { ["Protocol"] = "email" }));
    }

    [Fact]
    public void DataPlane_HoldsNoAutoScalingGroup_AndItsDashboardNamesNone()
    {
        T.ResourceCountIs("AWS::AutoScaling::AutoScalingGroup", 0);
        var body = SynthesizedFleet.Single(synth.DataPlaneJson, "AWS::CloudWatch::Dashboard")["Properties"]!["DashboardBody"]!.ToJsonString();
        Assert.DoesNotContain("AutoScaling", body, StringComparison.Ordinal);
        Assert.Contains("val_accuracy", body, StringComparison.Ordinal);
    }
}
