using System.Globalization;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Gangs;
using static TrainingWorkers.Aws.DynamoDb.JobItem;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// How gangs map onto the jobs table: the gang as a map in the job's record (<c>gang = {token, members, procs,
/// master_addr, master_port, formed_at}</c>), and one lease item per node beyond the first in the job's partition
/// (<c>sk = node#{rank:D4}</c>), fenced by the gang's token.
/// </summary>
internal static class GangItem
{
    public const string NodePrefix = "node#";

    public static Dictionary<string, AttributeValue> NodeKey(string jobId, int node) => new()
    {
        [Pk] = S(PkOf(jobId)),
        [Sk] = S(NodePrefix + node.ToString("D4", CultureInfo.InvariantCulture)),
    };

    public static AttributeValue ToValue(Gang gang) => new()
    {
        M = new()
        {
            ["token"] = N(gang.FencingToken),
            ["members"] = new AttributeValue { L = gang.Members.Select(S).ToList() },
            ["procs"] = N((long)gang.ProcessesPerNode),
            ["master_addr"] = S(gang.MasterAddress),
            ["master_port"] = N((long)gang.MasterPort),
            ["formed_at"] = N(gang.FormedAt.ToUnixTimeMilliseconds()),
            ["resume"] = new AttributeValue { BOOL = gang.Resume },
        },
    };

    public static Gang? ToGang(Dictionary<string, AttributeValue> record)
    {
        if (!record.TryGetValue("gang", out var value) || value.M is not { } m) return null;
        return new Gang
        {
            FencingToken = Long(m, "token"),
            Members = (m.TryGetValue("members", out var members) && members.L is not null ? members.L : []).Select(v => v.S).ToList(),
            ProcessesPerNode = (int)Long(m, "procs"),
            MasterAddress = m["master_addr"].S,
            MasterPort = (int)Long(m, "master_port"),
            FormedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(m, "formed_at")),
            Resume = m.TryGetValue("resume", out var resume) && resume.BOOL == true,
        };
    }

    public static Dictionary<string, AttributeValue> ToItem(GangNode node)
    {
        var item = NodeKey(node.JobId, node.Node);
        item["node"] = N((long)node.Node);
        item["worker_id"] = S(node.WorkerId);
        item["fencing_token"] = N(node.FencingToken);
        item["expires_at"] = N(node.ExpiresAt.ToUnixTimeMilliseconds());
        return item;
    }

    public static GangNode ToNode(string jobId, Dictionary<string, AttributeValue> item) => new(
        jobId, (int)Long(item, "node"), item["worker_id"].S, Long(item, "fencing_token"), DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "expires_at")))
    {
        EndedAt = item.ContainsKey("ended_at") ? DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "ended_at")) : null,
        Error = item.TryGetValue("error", out var error) ? error.S : null,
    };

    private static long Long(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && v.N is not null ? long.Parse(v.N, CultureInfo.InvariantCulture) : 0;
}
