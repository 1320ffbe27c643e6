namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>The fleet-level counts the runner reports, kept for assertions.</summary>
internal sealed class CountedOutcomes : IFleetOutcomes
{
    public List<string> Ended { get; } = [];

    /// <summary>Each waiting gang's nodes beyond the first, as published.</summary>
    public List<int> Waiting { get; } = [];

    public int Led { get; private set; }

    public void JobEnded(string outcome) => Ended.Add(outcome);

    public void GangWaiting(int extraNodes) => Waiting.Add(extraNodes);

    public void GangLed(int extraNodes) => Led += extraNodes;
}
