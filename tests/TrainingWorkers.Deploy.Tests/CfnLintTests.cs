using System.Diagnostics;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>cfn-lint (installed with moto) finds no error in either synthesized template.</summary>
[Collection(SynthesizedFleetCollection.Name)]
public sealed class CfnLintTests(SynthesizedFleet synth)
{
    [Fact]
    public async Task Templates_CfnLint_ReportsNoError()
    {
        var info = new ProcessStartInfo("cfn-lint") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var file in new[] { synth.DataPlaneFile, synth.FleetFile }) info.ArgumentList.Add(file);
        using var lint = Process.Start(info)!;
        var output = await lint.StandardOutput.ReadToEndAsync();
        var errors = await lint.StandardError.ReadToEndAsync();
        await lint.WaitForExitAsync();

        // cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
        Assert.True((lint.ExitCode & 2) == 0 && (lint.ExitCode & 1) == 0, $"cfn-lint exited {lint.ExitCode}:\n{output}\n{errors}");
        Assert.DoesNotContain("\nE", "\n" + output, StringComparison.Ordinal);
    }
}
