using System.Net;

namespace TrainingWorkers.Aws.Tests;

public sealed class ValidationTests
{
    [Fact]
    public void Options_Defaults_Valid()
    {
        Assert.Empty(AwsOptionsValidator.Collect(new AwsOptions()));
    }

    [Fact]
    public void Options_SeveralBadSettings_EveryErrorNamedWithItsLimit()
    {
        var options = new AwsOptions
        {
            MaxAttempts = 0,
            S3 = new S3Options { Bucket = "Bad_Bucket", PartSizeBytes = 1024, Parallelism = 100, AllowedPrefixes = ["http://x"] },
            Metrics = new MetricsOptions { Namespace = "AWS/EC2", BufferCapacity = 10 },
            JobTable = new JobTableOptions { TableName = "x" },
        };

        var errors = AwsOptionsValidator.Collect(options);

        Assert.Equal(8, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Aws:MaxAttempts must be between 1 and 10", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Aws:S3:PartSizeBytes must be between 5242880", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Aws:S3:AllowedPrefixes entry 'http://x'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Aws:JobTable:TableName", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("s3://data/sets", "s3://data/sets/mnist/a.bin", true)]
    [InlineData("s3://data/sets", "s3://data/sets", true)]
    [InlineData("s3://data/sets/", "s3://data/sets/x", true)]
    [InlineData("s3://data/sets", "s3://data/sets-private/x", false)]
    [InlineData("s3://data", "s3://data/anything", true)]
    [InlineData("s3://data", "s3://data2/anything", false)]
    public void S3Location_Contains_OnlyWholeFolders(string allowed, string candidate, bool expected)
    {
        Assert.Equal(expected, S3Location.Parse(allowed).Contains(S3Location.Parse(candidate)));
    }

    [Fact]
    public void Redact_ServiceEchoesCredentials_KeyIdScopeSignatureAndTokenRemoved()
    {
        var text = "denied for AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sqs/aws4_request, " +
            "Signature=0123abcdef X-Amz-Security-Token: FQoGZXIvYXdzEXAMPLETOKEN key ASIAIOSFODNN7EXAMPLE";

        var redacted = AwsErrors.Redact(text);

        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("ASIAIOSFODNN7EXAMPLE", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("0123abcdef", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("FQoGZXIvYXdzEXAMPLETOKEN", redacted, StringComparison.Ordinal);
        Assert.StartsWith("denied for", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ThrottlingException", HttpStatusCode.BadRequest, AwsErrorCategory.Transient)]
    [InlineData("Whatever", HttpStatusCode.ServiceUnavailable, AwsErrorCategory.Transient)]
    [InlineData("QueueDoesNotExist", HttpStatusCode.BadRequest, AwsErrorCategory.Fatal)]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, AwsErrorCategory.Fatal)]
    [InlineData("InvalidClientTokenId", HttpStatusCode.Forbidden, AwsErrorCategory.Fatal)]
    [InlineData("ReceiptHandleIsInvalid", HttpStatusCode.BadRequest, AwsErrorCategory.Request)]
    public void Classify_KnownCodes_SortedAsDocumented(string code, HttpStatusCode status, AwsErrorCategory expected)
    {
        Assert.Equal(expected, AwsErrors.Classify(code, status));
    }

    [Theory]
    [InlineData(200L << 20, 8L << 20, 8L << 20)]
    [InlineData(100L << 30, 8L << 20, 10737419L)]
    public void PartSize_ObjectNeedingOver10000Parts_PartsGrow(long length, long configured, long expected)
    {
        var size = S3.S3Transfer.PartSizeFor(length, configured);

        Assert.Equal(expected, size);
        Assert.True((length + size - 1) / size <= 10_000);
    }

    [Theory]
    [InlineData(200L << 20, 8, 25L << 20)]
    [InlineData(10L << 20, 8, 8L << 20)]
    [InlineData(10L << 30, 8, 64L << 20)]
    public void RangeSize_ByObjectSize_OneRangePerStreamWithinBounds(long length, int parallelism, long expected)
    {
        Assert.Equal(expected, S3.S3Transfer.RangeSizeFor(length, 8L << 20, parallelism));
    }
}
