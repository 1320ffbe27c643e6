using TrainingWorkers.Core.Failures;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Spectre.Console;
using TrainingWorkers.Aws;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>
/// Runs a fleet command and turns its failures into one line and an exit code: bad input 2, an AWS call that
/// failed (queue missing, access denied, endpoint unreachable; a job recorded but not queued) 1, Ctrl-C 130. No stack traces.
/// </summary>
internal static class FleetCommand
{
    public static async Task<int> RunAsync(string command, bool json, Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (FleetInputException e)
        {
            return Fail(command, json, ExitCodes.InvalidInput, e.Kind, e.Message, e.Errors);
        }
        catch (OptionsValidationException e)
        {
            return Fail(command, json, ExitCodes.InvalidInput, "invalid_settings", "invalid AWS settings", e.Failures.ToList());
        }
        catch (AwsServiceException e)
        {
            return Fail(command, json, ExitCodes.Unexpected, "aws_error", e.Message, []);
        }
        catch (JobNotQueuedException e)
        {
            return Fail(command, json, ExitCodes.Unexpected, "not_queued", e.Message, []);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(command, json, ExitCodes.Cancelled, "interrupted", "interrupted", []);
        }
    }

    /// <summary>
    /// The console for a command's text output. When stdout is not a terminal there are no colours, and lines
    /// are not wrapped at 80 columns, so ids and URIs stay whole for scripts and logs.
    /// </summary>
    public static IAnsiConsole CreateConsole()
    {
        var redirected = Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected) console.Profile.Width = 240;
        return console;
    }

    private static int Fail(string command, bool json, int code, string kind, string message, IReadOnlyList<string> errors)
    {
        message = message.ReplaceLineEndings(" ");
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new { error = kind, message, errors }, JobView.Json));
            return code;
        }

        Console.Error.WriteLine($"tw {command}: {message}");
        foreach (var error in errors) Console.Error.WriteLine($"  {error}");
        return code;
    }
}
