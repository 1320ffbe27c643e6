using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Worker.Gangs;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>One worker's decision-makers (runner, gang former and leader, gang member) over an <see cref="InMemoryFleet"/>, with scripted attempts.</summary>
internal sealed class TestWorker
{
    public TestWorker(InMemoryFleet fleet, string id, WorkerOptions options, int gpus)
    {
        (Fleet, Id) = (fleet, id);
        var o = Options.Create(options);
        State = new WorkerState(fleet.Clock, Lifetime);
        Settlement = new JobSettlement(fleet.Queue, fleet.Store, o, State, fleet.Clock, NullLogger<JobSettlement>.Instance) { Policy = new QueuePolicy(InMemoryFleet.Lease, 5, "dlq") };
        var identity = new WorkerIdentity(id, null, null, "10.0.0." + id.Length);
        Former = new GangFormer(fleet.Store, fleet.Registry, fleet.Gangs, Settlement, Outcomes, identity, o, fleet.Clock, NullLogger<GangFormer>.Instance);
        var leader = new GangLeader(Former, fleet.Store, fleet.Gangs, fleet.Registry, State, o, fleet.Clock, NullLogger<GangLeader>.Instance);
        Runner = new JobRunner(fleet.Queue, fleet.Store, fleet.Registry, Attempts, Settlement, leader, Outcomes, o, identity, State, fleet.Clock, NullLogger<JobRunner>.Instance);
        Member = new GangMember(fleet.Store, fleet.Gangs, fleet.Registry, NodeAttempts, identity, State, o, fleet.Clock, NullLogger<GangMember>.Instance);
        Slot = new JobSlot(0, Enumerable.Range(0, gpus).Select(g => g.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), Math.Max(1, gpus));
    }

    public InMemoryFleet Fleet { get; }
    public string Id { get; }
    public Lifetime Lifetime { get; } = new();
    public WorkerState State { get; }
    public JobSettlement Settlement { get; }
    public GangFormer Former { get; }
    public JobRunner Runner { get; }
    public GangMember Member { get; }
    public ScriptedAttempts Attempts { get; } = new();
    public ScriptedNodeAttempts NodeAttempts { get; } = new();
    public CountedOutcomes Outcomes { get; } = new();
    public JobSlot Slot { get; }

    /// <summary>Receives the job's message now and runs it to its end, as the poll loop would.</summary>
    public Task RunAsync(string jobId, CancellationToken shutdown = default) =>
        Runner.RunAsync(Fleet.Queue.Receive(jobId, InMemoryFleet.Lease), Slot, shutdown);
}
