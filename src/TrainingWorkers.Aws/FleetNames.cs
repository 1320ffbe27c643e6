namespace TrainingWorkers.Aws;

/// <summary>
/// The names of one fleet's resources, derived from the fleet's name: what <c>tw env create</c> creates and
/// what the deploy stack declares, so a fleet made either way looks the same to the worker and to <c>tw</c>.
/// </summary>
public sealed record FleetNames
{
    private FleetNames(string fleet) => Fleet = fleet;

    /// <summary>The fleet's name, e.g. <c>tw</c>: <see cref="Rule"/>.</summary>
    public string Fleet { get; }

    /// <summary>The SQS jobs queue.</summary>
    public string JobsQueue => $"{Fleet}-jobs";

    /// <summary>The dead-letter queue the jobs queue redrives to.</summary>
    public string DeadLetterQueue => $"{Fleet}-jobs-dlq";

    /// <summary>The DynamoDB jobs table.</summary>
    public string JobsTable => $"{Fleet}-jobs";

    /// <summary>The CloudWatch Logs group of the jobs' logs (one stream per job attempt).</summary>
    public string JobLogGroup => $"/trainingworkers/{Fleet}/jobs";

    /// <summary>
    /// The bucket for data, checkpoints and models as <c>tw env create</c> names it. Bucket names are global, so the
    /// deploy stack lets CloudFormation make a unique one (its output <c>BucketName</c>).
    /// </summary>
    public string Bucket => $"{Fleet}-artifacts";

    /// <summary>The names for <paramref name="fleet"/>, or an <see cref="ArgumentException"/> naming the rule it breaks.</summary>
    public static FleetNames For(string fleet)
    {
        if (!IsValid(fleet))
        {
            throw new ArgumentException($"a fleet name must be {Rule}, got '{fleet}'", nameof(fleet));
        }

        return new FleetNames(fleet);
    }

    /// <summary>What a fleet name may be, so that every name derived from it is valid for SQS, S3, DynamoDB and Logs.</summary>
    public const string Rule = "1-40 lowercase letters, digits or '-', starting with a letter or digit (bucket names allow no more)";

    /// <summary>Whether <paramref name="fleet"/> follows <see cref="Rule"/>.</summary>
    public static bool IsValid(string fleet) =>
        fleet.Length is >= 1 and <= 40 && char.IsAsciiLetterOrDigit(fleet[0]) && fleet.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
