using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using TrainingWorkers.Cli.Fleet;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Cli.Studies;

/// <summary>How the study commands show a study: snake_case JSON for scripts (request, state and result as stored), tables for people.</summary>
internal static class StudyView
{
    public static string ToJson(StudyRecord study, IReadOnlyList<StudyStatusChange>? history)
    {
        var progress = StudyProgress.Of(study);
        var document = new JsonObject
        {
            ["study_id"] = study.StudyId, ["kind"] = study.Kind, ["name"] = study.Name, ["status"] = study.Status.ToString(),
            ["cancel_requested"] = study.CancelRequested, ["lease_owner"] = study.LeaseOwner, ["lease_expires_at"] = study.LeaseExpiresAt, ["claims"] = study.Claims,
            ["progress"] = new JsonObject { ["done"] = progress.Done, ["total"] = progress.Total, ["summary"] = progress.Summary },
            ["error"] = study.Error, ["created_at"] = study.CreatedAt, ["updated_at"] = study.UpdatedAt,
            ["request"] = Parse(study.RequestJson), ["state"] = Parse(study.StateJson), ["result"] = Parse(study.ResultJson),
        };
        if (history is not null) document["history"] = JsonNode.Parse(JsonSerializer.Serialize(history, JobView.Json));
        return document.ToJsonString(JobView.Json);
    }

    public static string ToJson(IReadOnlyList<StudySummary> studies) => JsonSerializer.Serialize(studies, JobView.Json);

    public static void WriteStatus(IAnsiConsole console, StudyRecord study, IReadOnlyList<StudyStatusChange> history)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("study").AddColumn(Markup.Escape(study.StudyId));
        void Row(string field, string? value)
        {
            if (!string.IsNullOrEmpty(value)) table.AddRow(field, Markup.Escape(value));
        }

        Row("kind", $"{study.Kind} ({study.Name})");
        table.AddRow("status", Status(study.Status) + (study.CancelRequested && !study.Status.IsTerminal() ? " (cancel requested)" : ""));
        Row("progress", StudyProgress.Of(study).Summary);
        Row("coordinator", study.LeaseOwner is null ? null : $"{study.LeaseOwner} until {Time(study.LeaseExpiresAt)} (claims: {study.Claims})");
        var result = study.ResultJson is null ? null : StudyJson.Read<StudyResult>(study.ResultJson);
        if (result is not null)
        {
            Row("best", result.Best is null ? null : string.Create(CultureInfo.InvariantCulture, $"{result.Best}: {result.Metric} {result.Value:0.####}"));
            Row("model", result.ModelUri);
            Row("params", result.Params?.ToJsonString());
            Row("report", result.ReportUri);
            Row("pictures", string.Join("  ", result.Pictures));
        }

        Row("error", study.Error);
        Row("created", Time(study.CreatedAt));
        Row("updated", Time(study.UpdatedAt));
        console.Write(table);
        var state = StudyJson.Read<StudyState>(study.StateJson);
        if (state.Branches.Count > 0) console.Write(Stages(state, result));
        if (state.Trials.Count > 0) console.Write(Trials(state, result));
        var changes = new Table().Border(TableBorder.Simple).AddColumns("at", "status", "coordinator", "token", "reason");
        foreach (var c in history)
        {
            changes.AddRow(Time(c.At), Status(c.Status), Markup.Escape(c.OwnerId ?? ""), c.FencingToken.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.Reason ?? ""));
        }

        console.Write(changes);
    }

    public static void WriteList(IAnsiConsole console, IReadOnlyList<StudySummary> studies)
    {
        if (studies.Count == 0)
        {
            console.WriteLine("no studies");
            return;
        }

        var table = new Table().Border(TableBorder.Simple).AddColumns("study", "kind", "name", "status", "created", "updated");
        foreach (var s in studies) table.AddRow(Markup.Escape(s.StudyId), s.Kind, Markup.Escape(s.Name), Status(s.Status), Time(s.CreatedAt), Time(s.UpdatedAt));
        console.Write(table);
    }

    /// <summary>One row per stage: the approaches ranked, each stage's job, best checkpoint and value.</summary>
    public static Table Stages(StudyState state, StudyResult? result)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("rank", "approach", "stage", "job", "status", "epochs", "best epoch", "best checkpoint", $"best {result?.Metric}", "score", "test acc.");
        foreach (var branch in state.Branches.OrderBy(b => b.Rank ?? int.MaxValue))
        {
            foreach (var stage in branch.Stages)
            {
                var last = stage == branch.Stages[^1];
                table.AddRow(last && branch.Rank is { } rank ? $"#{rank}" : "", Markup.Escape(branch.Approach), stage.Name, Markup.Escape(stage.JobId), Markup.Escape(JobStatusOf(stage)),
                    Num(stage.FinalMetrics?.GetValueOrDefault("epochs_run")), stage.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(stage.BestCheckpoint ?? ""),
                    Num(stage.BestValue), last ? Num(branch.Score) : "", Num(stage.FinalMetrics?.GetValueOrDefault("test_accuracy", double.NaN)));
            }

            if (branch.Error is not null) table.AddRow("", Markup.Escape(branch.Approach), "", "", "[red]" + Markup.Escape(branch.Error) + "[/]", "", "", "", "", "", "");
        }

        return table;
    }

    /// <summary>One row per trial: status, objective, where it was stopped, its parameters.</summary>
    public static Table Trials(StudyState state, StudyResult? result)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("trial", "status", "objective", "epochs", "stopped", "parameters");
        foreach (var t in state.Trials)
        {
            var mark = result?.BestTrial == t.Number ? " *" : "";
            table.AddRow(t.Number.ToString(CultureInfo.InvariantCulture) + mark, Snake(t.Status), Num(t.Objective), t.Values.Count.ToString(CultureInfo.InvariantCulture),
                Stopped(t), Markup.Escape(t.Params.ToJsonString()));
        }

        return table;
    }

    // A stop lands at the worker's next heartbeat: a short trial may finish first, and then it counts as completed.
    private static string Stopped(TrialState t) => t.StoppedAtEpoch switch
    {
        null => "",
        var e when t.Status == TrialStatus.Completed => $"at epoch {e}, finished first",
        var e => $"at epoch {e}",
    };

    public static string Status(StudyStatus status) => status switch
    {
        StudyStatus.Succeeded => "[green]Succeeded[/]",
        StudyStatus.Failed => "[red]Failed[/]",
        StudyStatus.Cancelled => "[yellow]Cancelled[/]",
        StudyStatus.Running => "[blue]Running[/]",
        _ => status.ToString(),
    };

    private static string JobStatusOf(StudyJob job) => job.JobStatus?.ToString() ?? (job.Submitted ? "Queued" : "deciding");

    private static string Num(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "";

    private static string Snake<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}
