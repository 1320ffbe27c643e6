using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>
/// A fleet on the in-memory ports: one queue, job store, worker registry and gang store shared by any number of
/// <see cref="TestWorker"/>s, on a clock the test moves.
/// </summary>
internal sealed class InMemoryFleet
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    public InMemoryFleet()
    {
        Queue = new InMemoryJobQueue(Clock, new QueuePolicy(Lease, MaxReceiveCount: 5, DeadLetterQueue: "dlq"));
        Store = new InMemoryJobStore(Clock);
        Registry = new InMemoryWorkerRegistry(Clock);
        Gangs = new InMemoryGangStore(Store, Registry, Clock);
    }

    public ManualClock Clock { get; } = new();
    public InMemoryJobQueue Queue { get; }
    public InMemoryJobStore Store { get; }
    public InMemoryWorkerRegistry Registry { get; }
    public InMemoryGangStore Gangs { get; }

    /// <summary>A worker with its registration written (one slot, idle), configured by <paramref name="configure"/>.</summary>
    public TestWorker Worker(string id, Action<WorkerOptions>? configure = null, int gpus = 0)
    {
        var options = new WorkerOptions { LeaseDuration = Lease, MaxAttempts = 3, RetryBackoff = TimeSpan.FromSeconds(30), MaxNodes = 16, JoinTimeout = TimeSpan.FromSeconds(60) };
        configure?.Invoke(options);
        Registry.RegisterAsync(new WorkerRegistration
        {
            WorkerId = id, Address = "10.0.0." + id.Length, Slots = options.MaxConcurrentJobs, GpusPerSlot = gpus, HeartbeatAt = Clock.GetUtcNow(),
        }, CancellationToken.None).GetAwaiter().GetResult();
        return new TestWorker(this, id, options, gpus);
    }

    /// <summary>Records the job and queues it, as <c>tw submit</c> does.</summary>
    public async Task SubmitAsync(string jobId, string spec)
    {
        await Store.CreateAsync(jobId, spec, CancellationToken.None);
        await Queue.SubmitAsync(new JobMessage { JobId = jobId, Spec = System.Text.Json.JsonDocument.Parse(spec).RootElement.Clone() }, CancellationToken.None);
    }

    /// <summary>Every worker's registration renewed now (they are alive).</summary>
    public async Task BeatAsync(params string[] workers)
    {
        foreach (var w in workers) await Registry.BeatAsync(w, CancellationToken.None);
    }

    public async Task<IReadOnlyDictionary<string, WorkerRegistration>> WorkersAsync() =>
        (await Registry.ListAsync(CancellationToken.None)).ToDictionary(w => w.WorkerId);

    public static string Spec(int nodes, string extra = "") =>
        $$"""{ "apiVersion": "trainingworkers/v1", "name": "job", "data": { "train": "fashion-mnist" }, "resources": { "nodes": {{nodes}} }{{extra}} }""";
}
