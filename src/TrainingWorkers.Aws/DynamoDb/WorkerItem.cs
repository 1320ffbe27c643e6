using System.Globalization;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Gangs;
using static TrainingWorkers.Aws.DynamoDb.JobItem;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// How worker registrations map onto the jobs table: all in one partition (<c>pk = fleet#workers</c>,
/// <c>sk = worker#{id}</c>) so that a gang's node 0 reads every worker with one Query; each holds its reservations as a
/// map by job id (<c>reservations.{job} = {token, node, at}</c>), so a slot is taken or given back by one conditional
/// update and the free slots are <c>slots - size(reservations)</c>, with no counter to drift.
/// </summary>
internal static class WorkerItem
{
    public const string Partition = "fleet#workers";
    public const string SkPrefix = "worker#";

    /// <summary>A reservable worker, given <c>:fresh</c> (the oldest heartbeat still fresh) and <c>#job</c>.</summary>
    public const string Reservable =
        "attribute_exists(pk) AND heartbeat_at >= :fresh AND attribute_not_exists(draining) AND size(reservations) < slots AND attribute_not_exists(reservations.#job)";

    public static Dictionary<string, AttributeValue> Key(string workerId) => new()
    {
        [Pk] = S(Partition),
        [Sk] = S(SkPrefix + workerId),
    };

    public static Dictionary<string, AttributeValue> ToItem(WorkerRegistration r)
    {
        var item = Key(r.WorkerId);
        item["worker_id"] = S(r.WorkerId);
        item["address"] = S(r.Address);
        item["slots"] = N((long)r.Slots);
        item["gpus_per_slot"] = N((long)r.GpusPerSlot);
        item["heartbeat_at"] = N(r.HeartbeatAt.ToUnixTimeMilliseconds());
        item["reservations"] = new AttributeValue { M = r.Reservations.ToDictionary(kv => kv.Key, kv => ToValue(kv.Value)) };
        if (r.InstanceType is not null) item["instance_type"] = S(r.InstanceType);
        if (r.Draining) item["draining"] = new AttributeValue { BOOL = true };
        return item;
    }

    public static AttributeValue ToValue(Reservation r) => new()
    {
        M = new() { ["token"] = N(r.FencingToken), ["node"] = N((long)r.Node), ["at"] = N(r.At.ToUnixTimeMilliseconds()) },
    };

    public static WorkerRegistration ToRegistration(Dictionary<string, AttributeValue> item) => new()
    {
        WorkerId = item["worker_id"].S,
        Address = item["address"].S,
        Slots = (int)Long(item, "slots"),
        GpusPerSlot = (int)Long(item, "gpus_per_slot"),
        InstanceType = item.TryGetValue("instance_type", out var type) ? type.S : null,
        HeartbeatAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "heartbeat_at")),
        Draining = item.TryGetValue("draining", out var draining) && draining.BOOL == true,
        Reservations = (item.TryGetValue("reservations", out var m) && m.M is not null ? m.M : [])
            .ToDictionary(kv => kv.Key, kv => new Reservation(kv.Key, Long(kv.Value.M, "token"), (int)Long(kv.Value.M, "node"),
                DateTimeOffset.FromUnixTimeMilliseconds(Long(kv.Value.M, "at")))),
    };

    private static long Long(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && v.N is not null ? long.Parse(v.N, CultureInfo.InvariantCulture) : 0;
}
