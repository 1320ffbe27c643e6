using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Aws.Logs;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Worker;

/// <summary>
/// One claimed attempt of a job on this worker: a fresh workspace, the spec's S3 inputs fetched through the dataset
/// cache, the newest durable checkpoint to resume from, the ranks trained by the launcher (events to the store and
/// CloudWatch, the ranks' output to the attempt's CloudWatch Logs stream, checkpoints mirrored to S3), and after a
/// success the run's results uploaded.
/// </summary>
internal sealed class JobAttempt(
    IJobStore store, S3JobStorage storage, S3DatasetCache cache, CloudWatchMetrics metrics, JobLogs logs, RankLaunch launch,
    WorkerIdentity identity, WorkerState state, IOptions<WorkerOptions> options, TimeProvider time, ILogger<JobAttempt> logger) : IAttemptRunner
{
    public async Task<AttemptEnd> RunAsync(AttemptContext job)
    {
        var stop = job.Stop;
        try
        {
            var workspace = Path.Combine(options.Value.WorkDirectory, job.JobId);
            if (Directory.Exists(workspace)) Directory.Delete(workspace, recursive: true);
            var run = new RunDirectory(Path.Combine(workspace, "run"));
            var localCheckpoints = new DirectoryCheckpointStore(run.CheckpointDirectory);
            var specFile = Path.Combine(workspace, "spec.json");
            var remote = storage.CheckpointsFor(job.JobId);
            Checkpoint? newest;
            using (Telemetry.Source.StartActivity("fetch"))
            {
                await SpecLocalizer.WriteAsync(job.SpecJson, job.Spec, cache, specFile, stop.Token).ConfigureAwait(false);
                newest = await remote.ReadNewestGoodAsync(e => Log.CheckpointSkipped(logger, e.CheckpointId, e.Message), stop.Token).ConfigureAwait(false);
                if (newest is not null)
                {
                    await localCheckpoints.WriteAsync(newest, stop.Token).ConfigureAwait(false);
                    Log.Resuming(logger, job.JobId, newest.Manifest.Id, newest.Manifest.Epoch, newest.Manifest.Step);
                }
            }

            if (job.Spec.Training.MaxRuntimeSeconds is { } seconds) stop.StopAfter(TimeSpan.FromSeconds(seconds), StopCause.MaxRuntime);
            return await TrainAsync(job, run, specFile, localCheckpoints, remote, resume: newest is not null).ConfigureAwait(false);
        }
        catch (LeaseLostException)
        {
            return new AttemptEnd { LeaseLost = true };
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            // Stopped while fetching: the stop's cause decides.
            return new AttemptEnd();
        }
        catch (Exception e)
        {
            return new AttemptEnd { Error = e };
        }
    }

    private async Task<AttemptEnd> TrainAsync(AttemptContext job, RunDirectory run, string specFile, ICheckpointStore local, ICheckpointStore remote, bool resume)
    {
        // Both helpers run tasks of their own: owned here and awaited on every path, also when the launch throws.
        await using var mirror = new CheckpointMirror(job.JobId, local, remote, store, job.Lease, logger);
        var dimensions = new MetricDimensions
        {
            JobId = job.JobId, JobName = job.Spec.Name, Model = job.Spec.Model.Type.ToString().ToLowerInvariant(), InstanceType = identity.InstanceType,
        };
        await using var events = new JobEvents(job.JobId, job.SentAt, job.Slot.Gpus, store, job.Lease, metrics.CreateSink(dimensions), mirror, time, logger);
        LaunchResult result;
        // The attempt's log is named after the claim's fencing token, and complete before the outcome is written.
        await using (var log = JobLogShipper.Start(logs, job.JobId, job.Lease().FencingToken, identity, events))
        using (Telemetry.Source.StartActivity("train"))
        {
            result = await new Launcher(launch.OptionsFor(job.Slot, specFile, run.Path, resume), log).RunAsync(job.Stop.Token).ConfigureAwait(false);
        }

        // The last progress, the metrics flushed, and every checkpoint the ranks reported handed to the mirror.
        await events.CompleteAsync().ConfigureAwait(false);
        using (Telemetry.Source.StartActivity("upload"))
        {
            await mirror.DrainAsync(state.Uploads).ConfigureAwait(false);
        }

        if (mirror.LeaseLost) return new AttemptEnd { LeaseLost = true };
        var end = new AttemptEnd { Launch = result, Error = mirror.Failure, Metrics = events.LatestMetrics };
        if (!result.Succeeded || mirror.Failure is not null) return end;

        using (Telemetry.Source.StartActivity("upload_model"))
        {
            var (modelUri, final) = await UploadResultsAsync(job.JobId, run, events.LatestMetrics).ConfigureAwait(false);
            return end with { ModelUri = modelUri, Metrics = final };
        }
    }

    private async Task<(string ModelUri, IReadOnlyDictionary<string, double> Metrics)> UploadResultsAsync(string jobId, RunDirectory run,
        IReadOnlyDictionary<string, double> latest)
    {
        string? modelUri = null;
        foreach (var file in run.Results)
        {
            var uri = await storage.UploadModelAsync(jobId, file, state.Uploads).ConfigureAwait(false);
            if (file == run.ModelFile) modelUri = uri;
        }

        var metrics = new Dictionary<string, double>(latest);
        foreach (var (name, value) in run.ReadFinalMetrics()) metrics[name] = value;
        return (modelUri ?? throw new InvalidOperationException($"the run left no model.pt in {run.Path}"), metrics);
    }
}
