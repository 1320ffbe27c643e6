using System.Text.Json.Serialization;

namespace TrainingWorkers.Core.Failures;

/// <summary>
/// A failure as every entry point records and reports it: its kind, a message that says the cause, and the
/// spec field and file when the input was at fault.
/// </summary>
public sealed record JobFailure
{
    [JsonPropertyName("kind")] public required FailureKind Kind { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("field")] public string? Field { get; init; }
    [JsonPropertyName("file")] public string? File { get; init; }

    /// <summary>Whether another attempt of the job may succeed.</summary>
    [JsonIgnore] public bool IsRetryable => Kind.IsRetryable();

    public static JobFailure Of(FailureKind kind, string message, string? field = null, string? file = null) =>
        new() { Kind = kind, Message = FailureText.Bound(message, FailureText.MaxMessage), Field = field, File = file };

    /// <summary>The one classifier: sorts any exception into a <see cref="JobFailure"/>.</summary>
    public static JobFailure From(Exception e) => e switch
    {
        JobInputException input => Of(FailureKind.InvalidInput, input.Message, input.Field, input.File),
        IKnowsFailureKind known => Of(known.FailureKind, e.Message),
        OperationCanceledException => Of(FailureKind.Cancelled, "cancelled"),
        InsufficientMemoryException or OutOfMemoryException => Of(FailureKind.OutOfMemory, "out of host memory: " + e.Message),
        IOException io when IsDiskFull(io) => Of(FailureKind.DiskFull, "no space left on the device: " + e.Message),
        // A file or directory the run was told to read is missing or not what it should be: the input is at fault
        // (readers that know the spec field throw JobInputException instead).
        FileNotFoundException or DirectoryNotFoundException or InvalidDataException => Of(FailureKind.InvalidInput, e.Message),
        AggregateException { InnerExceptions.Count: 1 } one => From(one.InnerExceptions[0]),
        _ => Of(FailureKind.Crashed, e.Message),
    };

    /// <summary>
    /// Sorts a message from outside .NET (libtorch's error text, the last words of a rank that died) by what it
    /// says: out of memory, a full disk, a failed device; anything else is a crash.
    /// </summary>
    public static FailureKind KindOf(string message)
    {
        bool Says(string text) => message.Contains(text, StringComparison.OrdinalIgnoreCase);
        if (Says("out of memory") || Says("not enough memory") || Says("CUBLAS_STATUS_ALLOC_FAILED") || Says("std::bad_alloc")) return FailureKind.OutOfMemory;
        if (Says("No space left on device") || Says("Disk quota exceeded")) return FailureKind.DiskFull;
        if (Says("CUDA error") || Says("CUDA driver") || Says("cuDNN error") || Says("CUDNN_STATUS") || Says("CUBLAS_STATUS")
            || Says("NCCL error") || Says("device-side assert") || Says("ECC error") || Says("GPU is lost")) return FailureKind.DeviceLost;
        return FailureKind.Crashed;
    }

    public override string ToString() => $"{Kind.Code()}: {Message}";

    // ENOSPC (28) and EDQUOT (122) reach .NET as an IOException whose HResult is the errno.
    private static bool IsDiskFull(IOException e) => e.HResult is 28 or 122 || KindOf(e.Message) == FailureKind.DiskFull;
}
