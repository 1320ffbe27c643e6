using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Amazon.Runtime;

namespace TrainingWorkers.Aws;

/// <summary>
/// The one place that sorts AWS failures into transient, fatal and per-request: error codes of our own clients
/// and exceptions of the AWS SDK alike. It also scrubs secrets from text.
/// </summary>
internal static partial class AwsErrors
{
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded", "SlowDown",
        "ServiceUnavailable", "ServiceUnavailableException", "InternalError", "InternalFailure", "InternalServerError",
        "RequestTimeout", "RequestTimeoutException", "KMS.KMSThrottlingException", "KmsThrottled",
        "TransactionInProgressException", "PriorRequestNotComplete", "EC2ThrottledException",
    };

    private static readonly HashSet<string> FatalCodes = new(StringComparer.Ordinal)
    {
        "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NonExistentQueue", "ResourceNotFoundException",
        "NoSuchBucket", "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
        "InvalidClientTokenId", "InvalidAccessKeyId", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken",
        "ExpiredToken", "ExpiredTokenException", "InvalidSecurity", "KMS.DisabledException", "KMS.NotFoundException",
        "NoCredentials", "OptInRequired", "InvalidSignatureException",
    };

    /// <summary>Sorts an error by its code, falling back on the HTTP status.</summary>
    public static AwsErrorCategory Classify(string code, HttpStatusCode? status)
    {
        if (TransientCodes.Contains(code)) return AwsErrorCategory.Transient;
        if (FatalCodes.Contains(code)) return AwsErrorCategory.Fatal;
        return status switch
        {
            HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => AwsErrorCategory.Transient,
            >= HttpStatusCode.InternalServerError => AwsErrorCategory.Transient,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => AwsErrorCategory.Fatal,
            _ => AwsErrorCategory.Request,
        };
    }

    /// <summary>
    /// Sorts an exception of the AWS SDK (S3, SQS, DynamoDB) the way our own clients' errors are sorted; null when
    /// <paramref name="e"/> is not a failure of the call (the caller's cancellation, a bug). The SDK has retried
    /// transient failures already, signing each attempt afresh.
    /// </summary>
    public static AwsServiceException? FromSdk(string service, string operation, Exception e)
    {
        switch (e)
        {
            case AmazonServiceException s when s.StatusCode != 0:
                var code = string.IsNullOrEmpty(s.ErrorCode) ? s.StatusCode.ToString() : ShortCode(s.ErrorCode);
                return new AwsServiceException(service, operation, code, s.Message, Classify(code, s.StatusCode), (int)s.StatusCode, s.RequestId, s);
            case AmazonServiceException s:
                // No HTTP answer at all: the connection failed or broke.
                return new AwsServiceException(service, operation, "NetworkError", s.Message, AwsErrorCategory.Transient, inner: s);
            case AmazonClientException c when IsNetwork(c.InnerException):
                return new AwsServiceException(service, operation, "NetworkError", c.Message, AwsErrorCategory.Transient, inner: c);
            case AmazonClientException c:
                // Not the network: the setup (no credentials, a bad endpoint or region). No retry helps.
                return new AwsServiceException(service, operation, "ClientError", c.Message, AwsErrorCategory.Fatal, inner: c);
            case TimeoutException or OperationCanceledException { InnerException: TimeoutException }:
                // The SDK's HttpClient gave up on the last attempt (ClientConfig.Timeout); the caller did not cancel.
                return new AwsServiceException(service, operation, "Timeout", "no response within the attempt timeout", AwsErrorCategory.Transient, inner: e);
            case Exception network when IsNetwork(network):
                return new AwsServiceException(service, operation, "NetworkError", network.Message, AwsErrorCategory.Transient, inner: network);
            default:
                return null;
        }
    }

    private static bool IsNetwork(Exception? e) => e is HttpRequestException or IOException or SocketException;

    /// <summary>Strips a namespace from a JSON-protocol error type: <c>com.amazonaws.sqs#QueueDoesNotExist</c> → <c>QueueDoesNotExist</c>.</summary>
    public static string ShortCode(string type)
    {
        var colon = type.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) type = type[..colon];
        var hash = type.LastIndexOf('#');
        return hash >= 0 ? type[(hash + 1)..] : type;
    }

    /// <summary>
    /// Removes what could identify or use credentials from text that goes into exceptions and logs:
    /// access key ids, <c>Credential=</c> scopes, signatures and session tokens that services echo back.
    /// </summary>
    public static string Redact(string text)
    {
        text = CredentialScope().Replace(text, "Credential=<redacted>");
        text = SignatureValue().Replace(text, "Signature=<redacted>");
        text = SecurityToken().Replace(text, "$1<redacted>");
        return AccessKeyId().Replace(text, "<redacted-key-id>");
    }

    [GeneratedRegex(@"Credential=[^,\s""]+")]
    private static partial Regex CredentialScope();

    [GeneratedRegex(@"Signature=[0-9a-fA-F]+")]
    private static partial Regex SignatureValue();

    [GeneratedRegex(@"((?:X-Amz-Security-Token|x-amz-security-token)[=:]\s*)[^\s&,""]+")]
    private static partial Regex SecurityToken();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b")]
    private static partial Regex AccessKeyId();
}
