using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.SQS.Model;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Aws.Tests;

/// <summary>The SDK's exceptions sorted into the same categories as our own clients' errors (AwsErrors.FromSdk).</summary>
public sealed class SdkErrorTests
{
    [Theory]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, AwsErrorCategory.Fatal)]
    [InlineData("ExpiredTokenException", HttpStatusCode.BadRequest, AwsErrorCategory.Fatal)]
    [InlineData("ResourceNotFoundException", HttpStatusCode.BadRequest, AwsErrorCategory.Fatal)]
    [InlineData("ThrottlingException", HttpStatusCode.BadRequest, AwsErrorCategory.Transient)]
    [InlineData("", HttpStatusCode.BadGateway, AwsErrorCategory.Transient)]
    [InlineData("ReceiptHandleIsInvalid", HttpStatusCode.BadRequest, AwsErrorCategory.Request)]
    public void FromSdk_ServiceError_SortedByItsCodeThenStatus(string code, HttpStatusCode status, AwsErrorCategory expected)
    {
        var e = AwsErrors.FromSdk("sqs", "ReceiveMessage", new AmazonServiceException("refused", ErrorType.Sender, code, "req-1", status));

        Assert.Equal(expected, e!.Category);
        Assert.Equal(code.Length > 0 ? code : "BadGateway", e.ErrorCode);
        Assert.Equal(((int)status, "req-1"), (e.StatusCode, e.RequestId));
        Assert.StartsWith($"sqs ReceiveMessage failed: {e.ErrorCode} (HTTP {(int)status}): refused", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AwsErrorCategory.Fatal, FailureKind.Fatal)]
    [InlineData(AwsErrorCategory.Transient, FailureKind.Crashed)]
    [InlineData(AwsErrorCategory.Request, FailureKind.Crashed)]
    public void JobFailureFrom_AwsError_FatalStaysFatalOthersAreRetryableCrashes(AwsErrorCategory category, FailureKind expected)
    {
        var failure = JobFailure.From(new AwsServiceException("dynamodb", "UpdateItem", "Code", "refused", category));

        Assert.Equal(expected, failure.Kind);
        Assert.Equal(category != AwsErrorCategory.Fatal, failure.IsRetryable);
        Assert.StartsWith("dynamodb UpdateItem failed: Code", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSdk_QueueMissing_FatalWithTheSdkExceptionInside()
    {
        var missing = new QueueDoesNotExistException("The specified queue does not exist.", ErrorType.Sender, "QueueDoesNotExist", "r", HttpStatusCode.BadRequest);

        var e = AwsErrors.FromSdk("sqs", "GetQueueAttributes", missing)!;

        Assert.True(e.IsFatal);
        Assert.Same(missing, e.InnerException);
    }

    [Fact]
    public void FromSdk_NetworkAndTimeout_Transient()
    {
        var refused = AwsErrors.FromSdk("s3", "PutObject", new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)))!;
        var wrapped = AwsErrors.FromSdk("s3", "PutObject", new AmazonClientException("send failed", new IOException("reset")))!;
        var timeout = AwsErrors.FromSdk("dynamodb", "GetItem", new TimeoutException("The operation was canceled."))!;

        Assert.Equal(("NetworkError", AwsErrorCategory.Transient), (refused.ErrorCode, refused.Category));
        Assert.Equal(("NetworkError", AwsErrorCategory.Transient), (wrapped.ErrorCode, wrapped.Category));
        Assert.Equal(("Timeout", AwsErrorCategory.Transient), (timeout.ErrorCode, timeout.Category));
    }

    [Fact]
    public void FromSdk_ClientSetupOrCallerCancel_FatalOrLeftAlone()
    {
        var setup = AwsErrors.FromSdk("sqs", "SendMessage", new AmazonClientException("No RegionEndpoint or ServiceURL configured"))!;

        Assert.Equal(("ClientError", AwsErrorCategory.Fatal), (setup.ErrorCode, setup.Category));
        Assert.Null(AwsErrors.FromSdk("sqs", "ReceiveMessage", new OperationCanceledException()));
        Assert.Null(AwsErrors.FromSdk("sqs", "ReceiveMessage", new InvalidOperationException("a bug")));
    }
}
