using System.Text.Json.Nodes;

namespace TrainingWorkers.Cli.Doctor;

/// <summary>How a check ended. Only <see cref="Fail"/> makes the machine unfit; a warning is worth a look.</summary>
internal enum CheckOutcome
{
    Ok,
    Warn,
    Fail,
    Skip,
}

/// <summary>One line of <c>tw doctor</c>'s report: what was checked, how it ended, one sentence, and the facts for <c>-o json</c>.</summary>
internal sealed record DoctorCheck(string Name, CheckOutcome Outcome, string Summary, JsonObject? Details = null)
{
    public static DoctorCheck Ok(string name, string summary, JsonObject? details = null) => new(name, CheckOutcome.Ok, summary, details);
    public static DoctorCheck Warn(string name, string summary, JsonObject? details = null) => new(name, CheckOutcome.Warn, summary, details);
    public static DoctorCheck Fail(string name, string summary, JsonObject? details = null) => new(name, CheckOutcome.Fail, summary, details);
    public static DoctorCheck Skip(string name, string summary) => new(name, CheckOutcome.Skip, summary);
}
