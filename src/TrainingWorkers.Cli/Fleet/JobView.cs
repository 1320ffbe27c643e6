using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>How the fleet commands show a job: as snake_case JSON for scripts, as tables for people.</summary>
internal static class JobView
{
    /// <summary>snake_case, NaN allowed, and quotes and non-ASCII left readable (the output is for terminals and scripts, not HTML).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // A diverged loss is NaN; JSON has no literal for it, so it is written as the string "NaN".
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The job, and with <paramref name="history"/> its spec and status changes too (<c>tw status</c>, <c>tw wait</c>).</summary>
    public static string ToJson(JobRecord job, IReadOnlyList<JobStatusChange>? history, IReadOnlyList<GangView.NodeRow>? nodes = null) =>
        JsonSerializer.Serialize(Document(job, history, nodes), Json);

    public static string ToJson(IEnumerable<JobRecord> jobs) => JsonSerializer.Serialize(jobs.Select(j => Document(j, null)).ToList(), Json);

    /// <summary>The job's name from its spec JSON, or null when it has none (a spec queued with --no-validate).</summary>
    public static string? NameOf(string specJson)
    {
        try
        {
            using var spec = JsonDocument.Parse(specJson);
            return spec.RootElement.ValueKind == JsonValueKind.Object && spec.RootElement.TryGetProperty("name", out var name)
                && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a name that is not valid text (a lone surrogate escape): no stored record may break a read command.
            return null;
        }
    }

    public static void WriteStatus(IAnsiConsole console, JobRecord job, IReadOnlyList<JobStatusChange> history, IReadOnlyList<GangView.NodeRow>? nodes = null)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("job").AddColumn(Markup.Escape(job.JobId));
        void Row(string field, string? value)
        {
            if (!string.IsNullOrEmpty(value)) table.AddRow(field, Markup.Escape(value));
        }

        Row("name", NameOf(job.SpecJson));
        table.AddRow("status", StatusMarkup(job.Status) + (job.CancelRequested && !job.Status.IsTerminal() ? " (cancel requested)" : ""));
        Row("attempts", $"{job.Attempts.ToString(CultureInfo.InvariantCulture)} ({job.FailedAttempts.ToString(CultureInfo.InvariantCulture)} failed)");
        Row("lease", job.LeaseOwner is null ? null : $"{job.LeaseOwner} until {Time(job.LeaseExpiresAt)}");
        Row("progress", Progress(job.Progress));
        Row("metrics", Metrics(job.FinalMetrics.Count > 0 ? job.FinalMetrics : job.Progress?.Metrics));
        Row("checkpoint", job.LatestCheckpointId);
        Row("model", job.ModelUri);
        Row("error", job.Error);
        Row("created", Time(job.CreatedAt));
        Row("updated", Time(job.UpdatedAt));
        console.Write(table);
        if (job.Gang is { } gang && nodes is not null) GangView.Write(console, gang, nodes);

        var changes = new Table().Border(TableBorder.Simple).AddColumns("at", "status", "worker", "token", "reason");
        foreach (var c in history)
        {
            changes.AddRow(Time(c.At), StatusMarkup(c.Status), Markup.Escape(c.WorkerId ?? ""), c.FencingToken.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.Reason ?? ""));
        }

        console.Write(changes);
    }

    public static void WriteList(IAnsiConsole console, IReadOnlyList<JobRecord> jobs)
    {
        if (jobs.Count == 0)
        {
            console.WriteLine("no jobs");
            return;
        }

        var table = new Table().Border(TableBorder.Simple).AddColumns("job", "name", "status", "attempts", "progress", "updated");
        foreach (var j in jobs)
        {
            table.AddRow(Markup.Escape(j.JobId), Markup.Escape(NameOf(j.SpecJson) ?? ""), StatusMarkup(j.Status),
                j.Attempts.ToString(CultureInfo.InvariantCulture), Markup.Escape(Progress(j.Progress) ?? ""), Time(j.UpdatedAt));
        }

        console.Write(table);
    }

    public static string? Progress(JobProgress? p) => p is null ? null
        : $"epoch {p.Epoch}/{p.Epochs}, step {p.Step}/{p.Steps}";

    /// <summary>The metrics a person looks at first (accuracy and loss: test, then validation, then train), else the first few.</summary>
    public static string? Metrics(IReadOnlyDictionary<string, double>? metrics, int max = 4)
    {
        if (metrics is null || metrics.Count == 0) return null;
        string[] first = ["test_accuracy", "test_loss", MetricNames.ValAccuracy, MetricNames.ValLoss, MetricNames.TrainAccuracy, MetricNames.TrainLoss];
        var chosen = first.Where(metrics.ContainsKey).Concat(metrics.Keys.Where(k => !first.Contains(k)).Order(StringComparer.Ordinal)).Take(max);
        return string.Join("  ", chosen.Select(k => $"{k} {Format(metrics[k])}"));
    }

    public static string StatusMarkup(JobStatus status) => status switch
    {
        JobStatus.Succeeded => "[green]Succeeded[/]",
        JobStatus.Failed => "[red]Failed[/]",
        JobStatus.Cancelled => "[yellow]Cancelled[/]",
        JobStatus.Running => "[blue]Running[/]",
        _ => status.ToString(),
    };

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("0.####", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    private static JobDocument Document(JobRecord job, IReadOnlyList<JobStatusChange>? history, IReadOnlyList<GangView.NodeRow>? nodes = null)
    {
        JsonElement? spec = null;
        if (history is not null)
        {
            try
            {
                using var parsed = JsonDocument.Parse(job.SpecJson);
                // Written out once here: a text that does not decode (a lone surrogate escape) fails now, not in the middle of the output.
                JsonSerializer.Serialize(parsed.RootElement, Json);
                spec = parsed.RootElement.Clone();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
            {
                // A record written by something else may hold a spec that is not JSON or not valid text; the document then shows none.
            }
        }

        return new JobDocument(job.JobId, NameOf(job.SpecJson), job.Status, job.Attempts, job.FailedAttempts, job.LeaseOwner, job.LeaseExpiresAt, job.CancelRequested,
            job.Progress, job.FinalMetrics, job.LatestCheckpointId, job.ModelUri, job.Error, job.CreatedAt, job.UpdatedAt, job.Gang, nodes, spec, history);
    }

    private sealed record JobDocument(string JobId, string? Name, JobStatus Status, int Attempts, int FailedAttempts, string? LeaseOwner, DateTimeOffset? LeaseExpiresAt,
        bool CancelRequested, JobProgress? Progress, IReadOnlyDictionary<string, double> FinalMetrics, string? LatestCheckpoint, string? ModelUri,
        string? Error, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Gang? Gang,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<GangView.NodeRow>? Nodes,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Spec,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JobStatusChange>? History);
}
