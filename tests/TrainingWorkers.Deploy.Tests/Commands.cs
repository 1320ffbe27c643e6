using System.Diagnostics;

namespace TrainingWorkers.Deploy.Tests;

/// <summary>Runs a real client as a child process (the AWS CLI, <c>tw</c>) against the emulator, bounded in time.</summary>
internal static class Commands
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Describe(string what) => $"{what} exited {ExitCode}:\n{Output}\n{Error}";
    }

    /// <summary>The AWS CLI against <paramref name="endpoint"/> with the fixture's credentials.</summary>
    public static Task<Result> AwsAsync(Uri endpoint, params string[] args) =>
        RunAsync("aws", ["--endpoint-url", endpoint.ToString(), "--region", MotoFixture.Region, "--output", "json", .. args], MotoFixture.ChildEnvironment());

    /// <summary><c>tw</c> (tw.dll beside the tests).</summary>
    public static Task<Result> TwAsync(params string[] args) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "tw.dll"), .. args], MotoFixture.ChildEnvironment());

    private static async Task<Result> RunAsync(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment)
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }

        // The CLI's pager and the user's own environments file stay out of it.
        info.Environment["AWS_PAGER"] = "";
        info.Environment["TW_ENVIRONMENTS"] = Path.Combine(Path.GetTempPath(), "tw-deploy-tests-none.json");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within 2 minutes");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
