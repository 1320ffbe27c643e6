using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Engine.Native;

/// <summary>Why a native call failed, as the shim sorts it (see tw_status in tw.h).</summary>
public enum TorchErrorKind
{
    /// <summary>A bad argument, layer list or option: retrying the same call cannot help.</summary>
    Argument = 1,
    /// <summary>libtorch raised an error (shape mismatch, out of memory, CUDA failure, corrupt archive).</summary>
    Torch = 2,
    /// <summary>Any other C++ exception.</summary>
    Internal = 3,
}

/// <summary>A failed call into libtorch, with the native message.</summary>
public sealed class TorchException : Exception, IKnowsFailureKind
{
    public TorchException(TorchErrorKind kind, string operation, string nativeMessage)
        : base($"{operation} failed: {nativeMessage}")
    {
        Kind = kind;
        Operation = operation;
        NativeMessage = nativeMessage;
    }

    public TorchErrorKind Kind { get; }
    public string Operation { get; }
    public string NativeMessage { get; }

    /// <summary>A bad argument is bad input; libtorch's own errors are sorted by what they say (out of memory, a CUDA error).</summary>
    public FailureKind FailureKind => Kind == TorchErrorKind.Argument ? FailureKind.InvalidInput : JobFailure.KindOf(NativeMessage);
}
