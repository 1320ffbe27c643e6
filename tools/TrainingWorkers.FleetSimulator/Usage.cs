namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// Instance-seconds of workers ready to take jobs, of them training (every node of their gang held), and of them
/// holding a gang that has not formed (first come first served without reservation: waiting for the rest).
/// </summary>
internal sealed record Usage(long Ready, long Training, long Holding)
{
    /// <summary>The share of ready instance-seconds spent training.</summary>
    public double Utilization => Ready == 0 ? 0 : (double)Training / Ready;

    /// <summary>The share of ready instance-seconds held by gangs still waiting for nodes.</summary>
    public double Held => Ready == 0 ? 0 : (double)Holding / Ready;
}
