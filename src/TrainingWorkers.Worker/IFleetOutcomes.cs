namespace TrainingWorkers.Worker;

/// <summary>
/// Where the job runner counts how each received job ended, for the fleet as a whole: <see cref="FleetHeartbeat"/>
/// publishes the counts without the job dimension (the fleet stack's failed-jobs alarm reads them).
/// </summary>
internal interface IFleetOutcomes
{
    /// <summary>Counts one end by the outcome's name (<see cref="JobSettlement"/>'s names, or <c>unreadable</c>).</summary>
    void JobEnded(string outcome);
}
