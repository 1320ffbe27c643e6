using System.Globalization;
using Spectre.Console;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Cli.Fleet;

/// <summary>How <c>tw status</c> shows a multi-node job's gang: every node, its worker, and where its lease stands.</summary>
internal static class GangView
{
    /// <summary>One node of the newest gang: node 0's lease is the job's own; the others' are their node leases.</summary>
    public sealed record NodeRow(int Node, string WorkerId, string State, DateTimeOffset? LeaseExpiresAt, DateTimeOffset? EndedAt, string? Error);

    /// <summary>The rows of the job's newest gang, or null for a job of one node.</summary>
    public static IReadOnlyList<NodeRow>? Rows(JobRecord job, IReadOnlyList<GangNode> leases, DateTimeOffset now)
    {
        if (job.Gang is not { } gang) return null;
        var current = job.Status == JobStatus.Running && job.FencingToken == gang.FencingToken;
        var rows = new List<NodeRow> { new(0, gang.Members[0], current ? "running" : "ended", current ? job.LeaseExpiresAt : null, null, null) };
        for (var node = 1; node < gang.Nodes; node++)
        {
            var lease = leases.FirstOrDefault(l => l.Node == node && l.FencingToken == gang.FencingToken);
            var state = lease switch
            {
                null => current ? "not joined yet" : "never joined",
                { Error: not null } => "failed",
                { EndedAt: not null } => "ended",
                _ when lease.ExpiresAt <= now => "lost (lease ran out)",
                _ => "running",
            };
            rows.Add(new NodeRow(node, gang.Members[node], state, lease?.ExpiresAt, lease?.EndedAt, lease?.Error));
        }

        return rows;
    }

    /// <summary>The gang's rendezvous in one line, and a table of its nodes.</summary>
    public static void Write(IAnsiConsole console, Gang gang, IReadOnlyList<NodeRow> rows)
    {
        console.MarkupLine(Markup.Escape($"gang: {gang.Nodes} nodes x {gang.ProcessesPerNode} rank(s), rendezvous {gang.MasterAddress}:{gang.MasterPort}, " +
            $"fencing token {gang.FencingToken.ToString(CultureInfo.InvariantCulture)}, formed {Time(gang.FormedAt)}"));
        var table = new Table().Border(TableBorder.Simple).AddColumns("node", "worker", "state", "lease until", "error");
        foreach (var r in rows)
        {
            table.AddRow(r.Node.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.WorkerId), Markup.Escape(r.State), Time(r.LeaseExpiresAt), Markup.Escape(r.Error ?? ""));
        }

        console.Write(table);
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}
