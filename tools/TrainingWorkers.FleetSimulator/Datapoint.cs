namespace TrainingWorkers.FleetSimulator;

/// <summary>One minute of the metrics the policies read, as CloudWatch holds them, plus what the charts show.</summary>
internal sealed record Datapoint(int At, int Visible, int InFlight, int InService, int Pending, int Desired, int Spot, int OnDemand)
{
    /// <summary>The stack's metric math: (visible + in flight) / in service, or the backlog itself with none in service.</summary>
    public double BacklogPerInstance => InService > 0 ? (double)(Visible + InFlight) / InService : Visible + InFlight;

    public int Backlog => Visible + InFlight;
}
