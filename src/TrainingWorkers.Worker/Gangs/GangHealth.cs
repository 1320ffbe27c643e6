using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>
/// Whether a running gang still stands, as node <c>me</c> sees it in the job store; no I/O, so every case is unit-tested.
/// Node 0 judges the others: one that failed or whose lease ran out stops the gang (a failed attempt), one that never
/// joined gives the gang up (not the job's fault), a hand-off request hands the job off. The other nodes watch node 0
/// (the job's own lease) and each other, and stop when the job is no longer run by their gang.
/// </summary>
internal static class GangHealth
{
    public static GangTrouble? Check(Gang gang, int me, JobRecord? record, IReadOnlyList<GangNode> nodes, DateTimeOffset now, DateTimeOffset joinDeadline, TimeSpan joinTimeout)
    {
        var ours = record is { Status: JobStatus.Running } && record.FencingToken == gang.FencingToken;
        if (me != 0)
        {
            if (!ours) return new GangTrouble(StopCause.GangEnded, "the job is no longer run by this gang");
            if (record!.LeaseExpiresAt <= now) return new GangTrouble(StopCause.NodeLost, $"node 0 ({gang.Members[0]}) lost: its lease ran out");
        }
        else if (!ours)
        {
            // Node 0's own lease is its heartbeat's business.
            return null;
        }
        else if (record!.HandOffRequested is { } why)
        {
            return new GangTrouble(StopCause.HandOffRequested, why);
        }

        for (var node = 1; node < gang.Nodes; node++)
        {
            if (node == me) continue;
            var name = $"node {node} ({gang.Members[node]})";
            var lease = nodes.FirstOrDefault(n => n.Node == node && n.FencingToken == gang.FencingToken);
            if (lease is null)
            {
                if (me == 0 && now > joinDeadline) return new GangTrouble(StopCause.GangNotFormed, $"{name} did not join within {joinTimeout}");
                continue;
            }

            if (lease.Error is { } error)
            {
                var failure = Parse(error);
                return new GangTrouble(StopCause.NodeLost, $"{name} failed", failure with { Message = $"{name}: {failure.Message}" });
            }

            if (!lease.IsAlive(now)) return new GangTrouble(StopCause.NodeLost, $"{name} lost: its lease ran out");
        }

        return null;
    }

    // A node's error as JobFailure writes it: "kind: message".
    private static JobFailure Parse(string error)
    {
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? JobFailure.Of(FailureKind.Crashed, error) : JobFailure.Of(FailureKinds.Parse(error[..colon]), error[(colon + 2)..]);
    }
}
