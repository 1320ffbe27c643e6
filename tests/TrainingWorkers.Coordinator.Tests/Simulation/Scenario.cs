using Microsoft.Extensions.Logging.Abstractions;
using TrainingWorkers.Coordinator.Jobs;
using TrainingWorkers.Coordinator.Pipelines;
using TrainingWorkers.Coordinator.Tuning;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Tests.Simulation;

/// <summary>
/// The coordinator's real decision code (runner, drivers, leases, idempotent job calls) over the in-memory stores and a
/// simulated fleet, on a manual clock: one <see cref="TurnAsync"/> is one coordinator turn and one epoch on every worker.
/// </summary>
internal sealed class Scenario : IDisposable
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private readonly string _root = Directory.CreateTempSubdirectory("tw-coordinator-").FullName;

    public Scenario(int workers = 2)
    {
        Queue = new InMemoryJobQueue(Clock);
        Jobs = new InMemoryJobStore(Clock);
        Studies = new InMemoryStudyStore(Clock);
        Files = new FakeStudyFiles(_root);
        Fleet = new SimulatedFleet(Queue, Jobs, Files, workers);
    }

    public ManualClock Clock { get; } = new();
    public InMemoryJobQueue Queue { get; }
    public InMemoryJobStore Jobs { get; }
    public InMemoryStudyStore Studies { get; }
    public FakeStudyFiles Files { get; }
    public SimulatedFleet Fleet { get; }

    /// <summary>A coordinator named <paramref name="id"/> over these stores: its turns claim and step studies.</summary>
    public Func<Task> Coordinator(string id)
    {
        var runner = new StudyRunner(Studies, new StudyJobs(Jobs, Queue, NullLogger<StudyJobs>.Instance), Files, [new PipelineDriver(Jobs), new SweepDriver(Jobs)], Clock,
            NullLogger<StudyRunner>.Instance);
        var turns = new StudyTurns(runner, NullLogger<StudyTurns>.Instance);
        var leases = new StudyLeases(Studies, id, Lease, 10, NullLogger.Instance);
        return () => turns.RunAsync(leases, CancellationToken.None);
    }

    public async Task<string> SubmitAsync(string requestJson, string studyId = "s1")
    {
        var request = StudyRequestParser.Parse(requestJson);
        return await new StudySubmission(Studies, Jobs).SubmitAsync(request, requestJson, studyId, Clock, CancellationToken.None);
    }

    /// <summary>Turns of <paramref name="coordinator"/> and the fleet, a second apart, until the study ends (or <paramref name="turns"/> pass).</summary>
    public async Task<StudyRecord> RunAsync(Func<Task> coordinator, string studyId = "s1", int turns = 400)
    {
        for (var i = 0; i < turns; i++)
        {
            await coordinator();
            if ((await Studies.GetAsync(studyId, CancellationToken.None))!.Status.IsTerminal()) break;
            await Fleet.TickAsync();
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        return (await Studies.GetAsync(studyId, CancellationToken.None))!;
    }

    public async Task<StudyState> StateAsync(string studyId = "s1") => StudyJson.Read<StudyState>((await Studies.GetAsync(studyId, CancellationToken.None))!.StateJson);

    /// <summary>How many times each job id was created (the job store's "submitted" history entries).</summary>
    public async Task<Dictionary<string, int>> CreationsAsync() =>
        (await Task.WhenAll((await Jobs.ListAsync(10_000, CancellationToken.None)).Select(async j =>
            (j.JobId, (await Jobs.GetHistoryAsync(j.JobId, CancellationToken.None)).Count(h => h.Reason == "submitted")))))
        .ToDictionary(x => x.JobId, x => x.Item2, StringComparer.Ordinal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp eventually.
        }
    }
}
