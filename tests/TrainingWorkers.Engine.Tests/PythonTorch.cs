using System.Diagnostics;

namespace TrainingWorkers.Engine.Tests;

/// <summary>
/// Debian's python3 with python3-torch (the same libtorch): makes fixtures and checks our exports.
/// TW_TEST_PYTHON names another (scripts/gpu-check.sh: the python3 of the GPU machine's PyTorch).
/// </summary>
internal static class PythonTorch
{
    private static readonly string Interpreter = Environment.GetEnvironmentVariable("TW_TEST_PYTHON") is { Length: > 0 } python ? python : "/usr/bin/python3";

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static async Task RunAsync(string script, params string[] args)
    {
        var info = new ProcessStartInfo(Interpreter) { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Fixture(script));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{script} failed: {await stderr}");
    }

    /// <summary>The outputs of a TorchScript file run by PyTorch on <paramref name="inputs"/> (rows of the given shape).</summary>
    public static async Task<float[]> PredictAsync(string model, float[] inputs, IReadOnlyList<int> shape, string workDir)
    {
        var x = Path.Combine(workDir, "x.f32");
        var y = Path.Combine(workDir, "y.f32");
        await File.WriteAllBytesAsync(x, System.Runtime.InteropServices.MemoryMarshal.AsBytes(inputs.AsSpan()).ToArray());
        await RunAsync("predict.py", [model, x, y, .. shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(await File.ReadAllBytesAsync(y)).ToArray();
    }
}
