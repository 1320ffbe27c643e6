using System.Runtime.InteropServices;

namespace TrainingWorkers.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM. The first asks the command to stop: a run finishes its step and
/// checkpoints, which can take longer than the 2 s System.CommandLine would grant before ending the
/// process. A second one ends the process at once, as a second Ctrl-C does under torchrun, with
/// 128 + the signal's number and without running .NET's or libtorch's exit handlers (a training
/// thread may still be inside libtorch).
/// </summary>
internal sealed partial class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            return;
        }

        ExitNow(128 + (context.Signal == PosixSignal.SIGINT ? 2 : 15));
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void ExitNow(int status);
}
