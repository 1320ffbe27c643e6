using System.Runtime.InteropServices;

namespace TrainingWorkers.Engine.Native;

internal static class Status
{
    /// <summary>Throws a <see cref="TorchException"/> with the shim's thread-local message unless status is 0.</summary>
    internal static void Check(int status, string operation)
    {
        if (status == 0) return;
        var message = Marshal.PtrToStringUTF8(NativeMethods.LastError()) ?? "(no message)";
        var kind = Enum.IsDefined(typeof(TorchErrorKind), status) ? (TorchErrorKind)status : TorchErrorKind.Internal;
        throw new TorchException(kind, operation, message);
    }

    /// <summary>Copies a buffer the shim allocated into managed memory and frees it.</summary>
    internal static byte[] TakeBuffer(IntPtr data, long length)
    {
        try
        {
            var bytes = new byte[length];
            Marshal.Copy(data, bytes, 0, checked((int)length));
            return bytes;
        }
        finally
        {
            _ = NativeMethods.BufferFree(data);
        }
    }
}
