using System.Globalization;
using Amazon.DynamoDBv2.Model;
using TrainingWorkers.Core.Studies;
using static TrainingWorkers.Aws.DynamoDb.JobItem;

namespace TrainingWorkers.Aws.DynamoDb;

/// <summary>
/// How studies map onto the jobs table: the record (<c>pk = study#{id}, sk = study</c>), one item per status change
/// (<c>sk = h#...</c>, as jobs have), and an index entry in one partition (<c>pk = studies, sk = {id}</c>) that lists every
/// study with its status, so coordinators find open studies with one Query instead of a scan of the table.
/// </summary>
internal static class StudyItem
{
    public const string RecordSk = "study";
    public const string IndexPk = "studies";

    public static string PkFor(string studyId) => "study#" + studyId;

    public static Dictionary<string, AttributeValue> RecordKey(string studyId) => new() { [Pk] = S(PkFor(studyId)), [Sk] = S(RecordSk) };

    public static Dictionary<string, AttributeValue> IndexKey(string studyId) => new() { [Pk] = S(IndexPk), [Sk] = S(studyId) };

    public static Dictionary<string, AttributeValue> History(string studyId, StudyStatus status, DateTimeOffset at, string? ownerId, long token, string? reason)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            [Pk] = S(PkFor(studyId)),
            [Sk] = S($"{HistoryPrefix}{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}#{token:D12}#{Guid.NewGuid():N}"),
            ["status"] = S(status.ToString()),
            ["at"] = N(at.ToUnixTimeMilliseconds()),
            ["fencing_token"] = N(token),
        };
        if (ownerId is not null) item["owner_id"] = S(ownerId);
        if (reason is not null) item["reason"] = S(reason);
        return item;
    }

    /// <summary>The index entry's new status, written in the same transaction as the record's.</summary>
    public static Update IndexStatus(string table, string studyId, StudyStatus status, DateTimeOffset now) => new()
    {
        TableName = table, Key = IndexKey(studyId), UpdateExpression = "SET #status = :status, updated_at = :now",
        ExpressionAttributeNames = new() { ["#status"] = "status" },
        ExpressionAttributeValues = new() { [":status"] = S(status.ToString()), [":now"] = N(now.ToUnixTimeMilliseconds()) },
    };

    public static StudyRecord ToStudy(Dictionary<string, AttributeValue> item) => new()
    {
        StudyId = item["study_id"].S,
        Kind = item["kind"].S,
        Name = item["name"].S,
        RequestJson = item["request"].S,
        Status = Enum.Parse<StudyStatus>(item["status"].S),
        LeaseOwner = Str(item, "lease_owner"),
        LeaseExpiresAt = item.ContainsKey("lease_expires_at") ? DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "lease_expires_at")) : null,
        FencingToken = Long(item, "fencing_token"),
        Claims = (int)Long(item, "claims"),
        CancelRequested = item.TryGetValue("cancel_requested", out var c) && c.BOOL == true,
        StateJson = Str(item, "state"),
        ResultJson = Str(item, "result"),
        Error = Str(item, "error"),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "created_at")),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "updated_at")),
    };

    public static StudySummary ToSummary(Dictionary<string, AttributeValue> item) => new(
        item["study_id"].S, item["kind"].S, item["name"].S, Enum.Parse<StudyStatus>(item["status"].S),
        DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "created_at")), DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "updated_at")));

    public static StudyStatusChange ToStudyChange(Dictionary<string, AttributeValue> item) => new(
        Enum.Parse<StudyStatus>(item["status"].S), DateTimeOffset.FromUnixTimeMilliseconds(Long(item, "at")), Str(item, "owner_id"),
        Long(item, "fencing_token"), Str(item, "reason"));

    private static string? Str(Dictionary<string, AttributeValue> item, string name) => item.TryGetValue(name, out var v) && v.S is not null ? v.S : null;

    private static long Long(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && v.N is not null ? long.Parse(v.N, CultureInfo.InvariantCulture) : 0;
}
