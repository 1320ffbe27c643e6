namespace TrainingWorkers.FleetSimulator;

/// <summary>The job streams the scenarios submit. Durations are training seconds on one instance, drawn from a seeded generator.</summary>
internal static class Workloads
{
    /// <summary>One 20-minute job a minute into the run: the fleet starts from nothing.</summary>
    public static IReadOnlyList<JobArrival> FirstJob() => [new(60, 20 * 60)];

    /// <summary><paramref name="count"/> jobs at once, each 20 to 40 minutes long.</summary>
    public static IReadOnlyList<JobArrival> Burst(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new JobArrival(60, random.Next(20 * 60, 40 * 60 + 1))).ToList();
    }

    /// <summary>Jobs arriving at random (Poisson) every <paramref name="meanGap"/> seconds on average for <paramref name="seconds"/>, 20 to 60 minutes long.</summary>
    public static IReadOnlyList<JobArrival> Steady(int seconds, int meanGap, int seed)
    {
        var random = new Random(seed);
        var jobs = new List<JobArrival>();
        for (var t = 60.0; t < seconds; t += -Math.Log(1 - random.NextDouble()) * meanGap)
        {
            jobs.Add(new JobArrival((int)t, random.Next(20 * 60, 60 * 60 + 1)));
        }

        return jobs;
    }
}
