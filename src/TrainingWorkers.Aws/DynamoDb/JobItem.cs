using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// How jobs map onto the table: one item per job (<c>pk = job#{id}, sk = job</c>) and one item per status
/// change (<c>sk = h#{time}#{token}#{random}</c>), so a job's history is one Query away.
/// </summary>
internal static class JobItem
{
    public const string Pk = "pk";
    public const string Sk = "sk";
    public const string RecordSk = "job";
    public const string HistoryPrefix = "h#";

    /// <summary>How <see cref="JobProgress"/> is kept: one JSON string attribute, <c>progress</c>.</summary>
    public static readonly JsonSerializerOptions ProgressJson = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Dictionary<string, AttributeValue> Key(string jobId) => new()
    {
        [Pk] = S(PkOf(jobId)),
        [Sk] = S(RecordSk),
    };

    public static string PkOf(string jobId) => "job#" + jobId;

    public static Dictionary<string, AttributeValue> History(string jobId, JobStatus status, DateTimeOffset at, string? workerId, long token, string? reason)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            [Pk] = S(PkOf(jobId)),
            [Sk] = S($"{HistoryPrefix}{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}#{token:D12}#{Guid.NewGuid():N}"),
            ["status"] = S(status.ToString()),
            ["at"] = N(at.ToUnixTimeMilliseconds()),
            ["fencing_token"] = N(token),
        };
        if (workerId is not null) item["worker_id"] = S(workerId);
        if (reason is not null) item["reason"] = S(reason);
        return item;
    }

    public static JobRecord ToRecord(Dictionary<string, AttributeValue> item) => new()
    {
        JobId = item["job_id"].S,
        SpecJson = item["spec"].S,
        Status = Enum.Parse<JobStatus>(item["status"].S),
        Attempts = (int)Long(item, "attempts"),
        FailedAttempts = (int)Long(item, "failed_attempts"),
        LeaseOwner = Str(item, "lease_owner"),
        LeaseExpiresAt = item.ContainsKey("lease_expires_at") ? DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "lease_expires_at")) : null,
        FencingToken = Long(item, "fencing_token"),
        LatestCheckpointId = Str(item, "latest_checkpoint"),
        FinalMetrics = item.TryGetValue("final_metrics", out var m) && m.M is not null
            ? m.M.ToDictionary(kv => kv.Key, kv => double.Parse(kv.Value.N, CultureInfo.InvariantCulture))
            : new Dictionary<string, double>(),
        ModelUri = Str(item, "model_uri"),
        Error = Str(item, "error"),
        CancelRequested = item.TryGetValue("cancel_requested", out var c) && c.BOOL == true,
        Progress = Str(item, "progress") is { } progress ? JsonSerializer.Deserialize<JobProgress>(progress, ProgressJson) : null,
        Gang = GangItem.ToGang(item),
        HandOffRequested = Str(item, "handoff_requested"),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "created_at")),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "updated_at")),
    };

    public static JobStatusChange ToChange(Dictionary<string, AttributeValue> item) => new(
        Enum.Parse<JobStatus>(item["status"].S),
        DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "at")),
        Str(item, "worker_id"),
        Long(item, "fencing_token"),
        Str(item, "reason"));

    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue N(double value) => new() { N = value.ToString("R", CultureInfo.InvariantCulture) };

    private static string? Str(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && v.S is not null ? v.S : null;

    private static long Long(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && v.N is not null ? long.Parse(v.N, CultureInfo.InvariantCulture) : 0;
}
