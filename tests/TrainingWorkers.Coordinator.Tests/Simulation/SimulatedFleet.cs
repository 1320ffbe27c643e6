using System.Text.Json.Nodes;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Coordinator.Tests.Simulation;

/// <summary>
/// Workers played in memory for the coordinator's decision tests: each tick a running job trains one epoch (its metrics
/// from <see cref="Metrics"/>, recorded as the worker records them, and a checkpoint with them), a job whose cancel was
/// asked stops, a finished job succeeds with its best epoch's validation metrics (restore_best_weights), and free
/// workers take queued jobs. Also counts what the tests assert: jobs running at once, epochs trained after a cancel.
/// </summary>
internal sealed class SimulatedFleet(InMemoryJobQueue queue, InMemoryJobStore jobs, FakeStudyFiles files, int workers)
{
    private readonly Dictionary<string, (JobLease Lease, JsonObject Spec, int Epoch)> _running = new(StringComparer.Ordinal);

    /// <summary>A job's metrics after an epoch (its spec, the epoch); the metric "fail" &gt; 0 fails the job for bad input.</summary>
    public Func<JsonObject, int, Dictionary<string, double>> Metrics { get; set; } = (_, e) => new() { ["val_loss"] = 1.0 / e, ["val_accuracy"] = 1 - (1.0 / (e + 1)) };

    public int MostRunningAtOnce { get; private set; }

    public IReadOnlyCollection<string> Running => _running.Keys;

    public async Task TickAsync()
    {
        foreach (var (id, job) in _running.ToList())
        {
            if ((await jobs.GetAsync(id, CancellationToken.None))!.CancelRequested)
            {
                await jobs.FinishAsync(job.Lease, JobStatus.Cancelled, new JobOutcome { Error = "cancelled by request" }, CancellationToken.None);
                _running.Remove(id);
                continue;
            }

            var epochs = job.Spec["training"]!["epochs"]!.GetValue<int>();
            var epoch = job.Epoch + 1;
            if (epochs > 0)
            {
                var metrics = Metrics(job.Spec, epoch);
                if (metrics.GetValueOrDefault("fail") > 0)
                {
                    await jobs.FinishAsync(job.Lease, JobStatus.Failed, new JobOutcome { Error = "invalid_input: fine_tune.from: does not hold weights for this model" }, CancellationToken.None);
                    _running.Remove(id);
                    continue;
                }

                await jobs.RecordEpochAsync(job.Lease, epoch, metrics, CancellationToken.None);
                var checkpoint = Checkpoint.Create(id, epoch, epoch * 10L, new Dictionary<string, byte[]> { ["model.pt"] = [(byte)epoch] }, metrics);
                await files.CheckpointsOf(id).WriteAsync(checkpoint, CancellationToken.None);
                await jobs.RecordCheckpointAsync(job.Lease, checkpoint.Manifest.Id, CancellationToken.None);
                _running[id] = job with { Epoch = epoch };
            }

            if (epoch >= epochs) await SucceedAsync(id, job.Lease, job.Spec, epochs);
        }

        var received = await queue.ReceiveAsync(workers - _running.Count, TimeSpan.Zero, TimeSpan.FromMinutes(1), CancellationToken.None);
        foreach (var message in received)
        {
            await queue.CompleteAsync(message, CancellationToken.None);
            var lease = await jobs.TryClaimAsync(message.Job!.JobId, "sim", TimeSpan.FromHours(1), CancellationToken.None);
            if (lease is null) continue;
            if ((await jobs.GetAsync(lease.JobId, CancellationToken.None))!.CancelRequested)
            {
                await jobs.FinishAsync(lease, JobStatus.Cancelled, new JobOutcome { Error = "cancelled by request" }, CancellationToken.None);
                continue;
            }

            _running[lease.JobId] = (lease, JsonNode.Parse(message.Job.Spec.GetRawText())!.AsObject(), 0);
        }

        MostRunningAtOnce = Math.Max(MostRunningAtOnce, _running.Count);
    }

    private async Task SucceedAsync(string id, JobLease lease, JsonObject spec, int epochs)
    {
        var final = new Dictionary<string, double> { ["epochs_run"] = epochs, ["test_accuracy"] = 0.5 };
        var history = await jobs.GetEpochsAsync(id, CancellationToken.None);
        if (history.Count > 0)
        {
            var best = history.MinBy(e => e.Metrics.GetValueOrDefault("val_loss", double.MaxValue))!;
            foreach (var (name, value) in best.Metrics) final[name] = value;
        }
        else
        {
            foreach (var (name, value) in Metrics(spec, 0)) final[name] = value;
        }

        await jobs.FinishAsync(lease, JobStatus.Succeeded, new JobOutcome { ModelUri = $"s3://fake/jobs/{id}/model/model.pt", FinalMetrics = final }, CancellationToken.None);
        _running.Remove(id);
    }
}
