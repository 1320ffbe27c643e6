using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TrainingWorkers.Testing;

/// <summary>
/// A moto server (the AWS emulator) on 127.0.0.1 and a free port, started as a child process and
/// killed on dispose. Runs moto's server app through moto_server.py (see there why); needs
/// moto for <c>python3</c> (pip install "moto[server]").
/// </summary>
public sealed class MotoServer : IAsyncDisposable
{
    private readonly Process _process;

    private MotoServer(Process process, int port)
    {
        _process = process;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}/");
    }

    public int Port { get; }
    public Uri Url { get; }

    /// <summary>The emulator's process, e.g. for a benchmark to read the CPU time it spent.</summary>
    public Process Process => _process;

    /// <summary>Starts moto and waits (at most <paramref name="timeout"/>) until it prints that it is listening.</summary>
    public static async Task<MotoServer> StartAsync(TimeSpan timeout, int? port = null)
    {
        var chosen = port ?? FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("TW_PYTHON") ?? "python3")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "moto_server.py"), "127.0.0.1", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains("Running on", StringComparison.Ordinal)) listening.TrySetResult();
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"moto exited at start-up:\n{output}"));
        if (!process.Start()) throw new InvalidOperationException("python3 could not be started");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new MotoServer(process, chosen);
        try
        {
            await listening.Task.WaitAsync(timeout);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await server.DisposeAsync();
            lock (output) throw new InvalidOperationException($"moto did not start on port {chosen} within {timeout} (is moto[server] installed for python3?):\n{output}", e);
        }

        return server;
    }

    /// <summary>Stops the server at once (as a crash would) and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
