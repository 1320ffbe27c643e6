using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace TrainingWorkers.Cli.Doctor;

/// <summary><c>tw doctor</c>'s report: one line per check for a person, or one JSON object for a script or an image build.</summary>
internal static class DoctorView
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static bool IsFit(IReadOnlyList<DoctorCheck> checks) => checks.All(c => c.Outcome != CheckOutcome.Fail);

    public static string ToJson(IReadOnlyList<DoctorCheck> checks) => JsonSerializer.Serialize(new { fit = IsFit(checks), checks }, Json);

    public static void Write(IAnsiConsole console, IReadOnlyList<DoctorCheck> checks)
    {
        var failed = checks.Count(c => c.Outcome == CheckOutcome.Fail);
        var warned = checks.Count(c => c.Outcome == CheckOutcome.Warn);
        var width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            // Padded by hand, not a table: a unit's log gets no trailing blanks, and long summaries are not cut.
            var label = check.Outcome switch { CheckOutcome.Ok => "ok", CheckOutcome.Warn => "warn", CheckOutcome.Fail => "FAIL", _ => "skip" };
            console.MarkupLine($"[{Colour(check.Outcome)}]{label,-4}[/]  {Markup.Escape(check.Name.PadRight(width))}  {Markup.Escape(check.Summary)}");
        }

        var verdict = failed == 0
            ? $"[green]fit[/]: this machine can train{(warned > 0 ? $" ({warned} warning{(warned == 1 ? "" : "s")})" : "")}"
            : $"[red]not fit[/]: {failed} check{(failed == 1 ? "" : "s")} failed";
        console.MarkupLine($"tw doctor: {verdict}");
    }

    private static string Colour(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Ok => "green",
        CheckOutcome.Warn => "yellow",
        CheckOutcome.Fail => "red",
        _ => "grey",
    };
}
