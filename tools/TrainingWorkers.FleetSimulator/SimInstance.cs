namespace TrainingWorkers.FleetSimulator;

internal enum InstanceState
{
    Pending,
    InService,
    /// <summary>Terminating:Wait: the termination hook waits for the worker's hand-off.</summary>
    Terminating,
    Terminated,
}

internal enum Market
{
    OnDemand,
    Spot,
}

/// <summary>One instance of the group with its worker: state, market, protection, the job it trains, its fate as Spot.</summary>
internal sealed class SimInstance(int id, Market market, int launched)
{
    public int Id { get; } = id;
    public Market Market { get; } = market;
    public int Launched { get; } = launched;
    public InstanceState State { get; set; } = InstanceState.Pending;
    public int? InServiceAt { get; set; }
    public int? WorkerReadyAt { get; set; }
    /// <summary>New instances are protected until their worker, idle, lifts it; a worker protects it while training.</summary>
    public bool Protected { get; set; } = true;
    public SimJob? Job { get; set; }
    /// <summary>When the job's attempt started here (checkpoints are counted from it).</summary>
    public int JobStarted { get; set; }
    /// <summary>When a hand-off (termination hook or Spot notice) ends and the job is given back.</summary>
    public int? HandOffDone { get; set; }
    /// <summary>When the instance goes for good: the Spot reclaim, or the hook's timeout.</summary>
    public int? GoneAt { get; set; }
    public int? SpotInterruptionAt { get; set; }
    public bool Replaced { get; set; }
    /// <summary>Why it is terminating: scale-in, spot, rebalance.</summary>
    public string? TerminationCause { get; set; }

    public bool Counted => State is InstanceState.Pending or InstanceState.InService;
}
