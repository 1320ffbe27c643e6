namespace TrainingWorkers.Core.Gangs;

/// <summary>
/// One job slot of a worker held for a job: by the worker itself for a job it received (<see cref="Node"/> 0, token 0
/// until claimed), or by a gang's node 0, in the same transaction as its claim, for node <see cref="Node"/> of the gang
/// whose claim carries <see cref="FencingToken"/>.
/// </summary>
public sealed record Reservation(string JobId, long FencingToken, int Node, DateTimeOffset At)
{
    /// <summary>The token of a worker's reservation of its own slot before any claim.</summary>
    public const long Unclaimed = 0;
}
