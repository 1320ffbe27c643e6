using System.Globalization;

namespace TrainingWorkers.Aws.Logs;

/// <summary>How a job's log streams are named in the job log group: <c>{jobId}/attempt-{n}</c>, one per attempt (claim).</summary>
public static class JobLogStreams
{
    /// <summary>The stream of one attempt; zero-padded so that name order is attempt order.</summary>
    public static string Name(string jobId, long attempt) => $"{Prefix(jobId)}attempt-{attempt.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>What every stream of the job starts with (the slash keeps <c>job1</c> apart from <c>job10</c>).</summary>
    public static string Prefix(string jobId) => jobId + "/";

    /// <summary>The attempt a stream name holds, or null for a name of another form.</summary>
    public static long? Attempt(string streamName)
    {
        var at = streamName.LastIndexOf("/attempt-", StringComparison.Ordinal);
        return at >= 0 && long.TryParse(streamName.AsSpan(at + "/attempt-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
