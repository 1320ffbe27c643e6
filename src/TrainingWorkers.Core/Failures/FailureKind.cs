using System.Text.Json;
using System.Text.Json.Serialization;
using TrainingWorkers.Core.Json;

namespace TrainingWorkers.Core.Failures;

/// <summary>
/// Why a job (or a run of <c>tw run</c>) failed, sorted by what should happen next. Every entry point
/// (<c>tw run</c>, a rank, the launcher, the worker) sorts failures with <see cref="JobFailure.From"/>.
/// </summary>
[JsonConverter(typeof(FailureKindJsonConverter))]
public enum FailureKind
{
    /// <summary>Something not foreseen (a bug, a libtorch error, a peer that died): another attempt may pass.</summary>
    Crashed,
    /// <summary>The spec, its data, a model file, fine-tune weights, the device or precision is wrong: fails at once, never retried.</summary>
    InvalidInput,
    /// <summary>The device (or host) ran out of memory: the same job fails the same way, so it is not retried.</summary>
    OutOfMemory,
    /// <summary>No space left on the device: another attempt (on a worker with space) may pass.</summary>
    DiskFull,
    /// <summary>The GPU failed or was lost (a CUDA or NCCL error): another attempt, on another device, may pass.</summary>
    DeviceLost,
    /// <summary>
    /// The worker cannot go on (access denied, its queue, table or bucket gone, expired credentials): the job
    /// is given back untouched and the worker stops with exit code 3.
    /// </summary>
    Fatal,
    /// <summary>Someone asked it to stop.</summary>
    Cancelled,
}

/// <summary>What each kind means for the next step, and how it is spelled on the wire.</summary>
public static class FailureKinds
{
    /// <summary>Whether another attempt of the same job may succeed.</summary>
    public static bool IsRetryable(this FailureKind kind) => kind is FailureKind.Crashed or FailureKind.DiskFull or FailureKind.DeviceLost;

    /// <summary>The kind in snake_case (<c>invalid_input</c>), as the rank protocol, job records and <c>-o json</c> write it.</summary>
    public static string Code(this FailureKind kind) => SnakeCase.Of(kind);

    /// <summary>The kind a code names; unknown codes (a newer rank) read as <see cref="FailureKind.Crashed"/>.</summary>
    public static FailureKind Parse(string? code) =>
        Enum.GetValues<FailureKind>().FirstOrDefault(k => k.Code() == code, FailureKind.Crashed);

    /// <summary>The exit code of <c>tw run</c> and of a rank for a failure of this kind.</summary>
    public static int ExitCode(this FailureKind kind) => kind switch
    {
        FailureKind.InvalidInput => ExitCodes.InvalidInput,
        FailureKind.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.Failed,
    };
}

/// <summary>Writes and reads a <see cref="FailureKind"/> as its <see cref="FailureKinds.Code"/>.</summary>
public sealed class FailureKindJsonConverter : JsonConverter<FailureKind>
{
    public override FailureKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? FailureKinds.Parse(reader.GetString()) : FailureKind.Crashed;

    public override void Write(Utf8JsonWriter writer, FailureKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Code());
}
