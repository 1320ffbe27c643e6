using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Aws;

/// <summary>How a failed AWS call should be handled.</summary>
public enum AwsErrorCategory
{
    /// <summary>Throttling, a 5xx, a network failure or a timeout: a later retry can succeed.</summary>
    Transient,
    /// <summary>
    /// The configuration is wrong (queue or table missing, access denied, bad or missing credentials):
    /// no retry helps and the host should stop with a non-zero exit code.
    /// </summary>
    Fatal,
    /// <summary>This one request was refused (invalid parameter, stale receipt handle); others can still work.</summary>
    Request,
}

/// <summary>
/// A call to an AWS service (or an emulator) failed after its retries. The message names the service,
/// operation and error code; credentials and signatures are never part of it.
/// </summary>
public sealed class AwsServiceException : Exception, IKnowsFailureKind
{
    public AwsServiceException(string service, string operation, string errorCode, string message,
        AwsErrorCategory category, int? statusCode = null, string? requestId = null, Exception? inner = null)
        : base(AwsErrors.Redact($"{service} {operation} failed: {errorCode}{(statusCode is null ? "" : $" (HTTP {statusCode})")}: {message}"), inner)
    {
        Service = service;
        Operation = operation;
        ErrorCode = errorCode;
        Category = category;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    public string Service { get; }
    public string Operation { get; }
    /// <summary>The service's error code without its namespace, e.g. <c>QueueDoesNotExist</c>, or <c>NetworkError</c>.</summary>
    public string ErrorCode { get; }
    public AwsErrorCategory Category { get; }
    public int? StatusCode { get; }
    public string? RequestId { get; }

    /// <summary>Whether a later retry can succeed.</summary>
    public bool IsTransient => Category == AwsErrorCategory.Transient;

    /// <summary>Whether the configuration is wrong and the host should stop.</summary>
    public bool IsFatal => Category == AwsErrorCategory.Fatal;

    /// <summary>A fatal category stops the worker; any other AWS failure inside a job is a crash another attempt may not repeat.</summary>
    public FailureKind FailureKind => IsFatal ? FailureKind.Fatal : FailureKind.Crashed;
}
