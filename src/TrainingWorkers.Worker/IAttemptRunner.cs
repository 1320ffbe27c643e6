namespace TrainingWorkers.Worker;

/// <summary>Runs one claimed attempt of a job: fetch its inputs, train it with the launcher, upload what it made.</summary>
internal interface IAttemptRunner
{
    /// <summary>Never throws for the job's sake: every failure is in the returned <see cref="AttemptEnd"/>.</summary>
    Task<AttemptEnd> RunAsync(AttemptContext context);
}
