namespace TrainingWorkers.FleetSimulator;

/// <summary>One minute of the metrics the policies read, as CloudWatch holds them, plus what the charts show.</summary>
internal sealed record Datapoint(int At, int Visible, int InFlight, int InService, int Pending, int Desired, int Spot, int OnDemand, int GangNodes = 0)
{
    /// <summary>The stack's metric math: (visible + in flight + gang nodes) / in service, or the demand itself with none in service.</summary>
    public double BacklogPerInstance => InService > 0 ? (double)Demand / InService : Demand;

    /// <summary>Messages queued or in flight: what the scale-from-zero alarm reads.</summary>
    public int Backlog => Visible + InFlight;

    /// <summary>Instances wanted: a job of N nodes counts N (its message, and N - 1 gang nodes its workers publish).</summary>
    public int Demand => Visible + InFlight + GangNodes;
}
