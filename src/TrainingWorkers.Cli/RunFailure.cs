using System.Text.Json;
using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Cli;

/// <summary>How every <c>tw run</c> mode reports a failure: one line on stderr, or a JSON object on stdout with <c>-o json</c>.</summary>
internal static class RunFailure
{
    /// <returns>The failure's exit code.</returns>
    public static int Report(bool json, JobFailure failure, IReadOnlyList<string>? errors = null)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                error = failure.Kind.Code(),
                message = failure.Message,
                field = failure.Field,
                file = failure.File,
                errors = errors ?? [],
            }));
        }
        else
        {
            Console.Error.WriteLine($"tw run: {failure.Message}");
        }

        return failure.Kind.ExitCode();
    }
}
