namespace TrainingWorkers.Worker;

/// <summary>How many attempts a job has had and when the next one may start.</summary>
internal static class RetryPlan
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(15);

    /// <param name="failedBefore">The failed attempts the job's record counted before this one.</param>
    /// <returns>This failure's number, whether the attempts are used up, and the wait before the next (doubling from <paramref name="backoff"/>, at most 15 minutes).</returns>
    public static (int Failures, bool UsedUp, TimeSpan Wait) After(int failedBefore, int maxAttempts, TimeSpan backoff)
    {
        var failures = failedBefore + 1;
        var wait = backoff * Math.Pow(2, Math.Min(failures - 1, 30));
        return (failures, failures >= maxAttempts, wait > MaxBackoff ? MaxBackoff : wait);
    }
}
