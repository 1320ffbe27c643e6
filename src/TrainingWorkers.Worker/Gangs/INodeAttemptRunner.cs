namespace TrainingWorkers.Worker.Gangs;

/// <summary>Runs a gang's node other than 0: fetch the spec's inputs, start this node's ranks against node 0's rendezvous.</summary>
internal interface INodeAttemptRunner
{
    /// <summary>Never throws for the job's sake: every failure is in the returned <see cref="AttemptEnd"/>.</summary>
    Task<AttemptEnd> RunAsync(NodeAttemptContext context);
}
