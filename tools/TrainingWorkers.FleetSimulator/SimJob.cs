namespace TrainingWorkers.FleetSimulator;

/// <summary>One job in the simulation: its message (visible or in flight), its progress and durable checkpoint.</summary>
internal sealed class SimJob(int id, JobArrival arrival)
{
    public int Id { get; } = id;
    public JobArrival Arrival { get; } = arrival;
    /// <summary>Seconds of training done, and done as of the newest durable checkpoint.</summary>
    public int Progress { get; set; }
    public int Checkpointed { get; set; }
    /// <summary>The message is visible (queued) when no worker holds it.</summary>
    public bool Visible { get; set; } = true;
    public int? FirstStart { get; set; }
    public int? Finished { get; set; }
    public int Attempts { get; set; }
    /// <summary>Training seconds done twice because an attempt ended before its work was checkpointed.</summary>
    public int WorkLost { get; set; }
}
