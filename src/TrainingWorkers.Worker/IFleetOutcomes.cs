namespace TrainingWorkers.Worker;

/// <summary>
/// Where the job runner counts how each received job ended, for the fleet as a whole: <see cref="FleetHeartbeat"/>
/// publishes the counts without the job dimension (the fleet stack's failed-jobs alarm reads them).
/// </summary>
internal interface IFleetOutcomes
{
    /// <summary>Counts one end by the outcome's name (<see cref="JobSettlement"/>'s names, or <c>unreadable</c>).</summary>
    void JobEnded(string outcome);

    /// <summary>A gang could not form for want of idle workers: its nodes beyond the first are demand the fleet's scaling counts now.</summary>
    void GangWaiting(int extraNodes);

    /// <summary>A gang this worker leads started (<paramref name="extraNodes"/> &gt; 0) or ended (&lt; 0): published each minute as demand.</summary>
    void GangLed(int extraNodes);
}
