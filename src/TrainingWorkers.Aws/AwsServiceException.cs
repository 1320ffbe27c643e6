using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Aws;

/// <summary>
/// A call to an AWS service (or an emulator) failed after its retries. The message names the service,
/// operation and error code; credentials and signatures are never part of it. <see cref="JobFailure.From"/>
/// sorts a <see cref="AwsErrorCategory.Fatal"/> one as <see cref="Core.Failures.FailureKind.Fatal"/> (the worker
/// stops with exit code 3) and any other as <see cref="Core.Failures.FailureKind.Crashed"/> (another attempt may pass).
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

    /// <summary>Fatal for a fatal category; else a crash of this attempt, which a later one may not repeat.</summary>
    public FailureKind FailureKind => IsFatal ? FailureKind.Fatal : FailureKind.Crashed;
}
