using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Native;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>How a rank ended; the CLI turns it into an exit code.</summary>
public enum RankOutcome
{
    Completed,
    Cancelled,
    /// <summary>Bad spec, data, checkpoint or rank environment: a restart cannot help.</summary>
    InvalidInput,
    /// <summary>Rendezvous or training failed (a peer died, a timeout, a libtorch error).</summary>
    Failed,
}

/// <summary>
/// One rank of a data-parallel run: joins the group, resumes from rank 0's checkpoint when asked,
/// trains, and reports on the channel. Rank 0 writes checkpoints, metrics and the run's results.
/// </summary>
public static class RankRun
{
    /// <param name="loadData">Runs after the rendezvous, so a bad address or port fails before the slow part.</param>
    public static async Task<RankOutcome> RunAsync(RankEnvironment env, JobSpec spec, Func<DataSplits> loadData, RunDirectory run, bool resume,
        RankChannel channel, Models.ModelLocationPolicy modelLocations, CancellationToken cancellationToken)
    {
        // Ranks share the machine's cores unless the spec says how many threads each gets.
        var threads = spec.Training.Threads > 0 ? spec.Training.Threads : Math.Max(1, Environment.ProcessorCount / env.LocalWorldSize);
        // A rank's OpenMP threads that spin-wait after each op starve Gloo's threads when the ranks share the
        // cores (measured: 1 rank x 2 threads on 2 cores ran at 1/12 of the speed). A group of one has no peer
        // to starve and keeps libgomp's faster default. Set OMP_WAIT_POLICY to override.
        if (env.WorldSize > 1) NativeLibraryLoader.PreferPassiveWaiting();
        Torch.Initialize(threads);
        var device = env.DeviceFor(Torch.ResolveDevice(spec.Training.Device));
        if (device.StartsWith("cuda", StringComparison.Ordinal) && env.LocalRank >= Torch.CudaDeviceCount)
        {
            return Fail(channel, RankOutcome.InvalidInput, "too_many_ranks", $"LOCAL_RANK {env.LocalRank} needs {device}, but this machine has {Torch.CudaDeviceCount} GPU(s)");
        }

        spec = spec with { Training = spec.Training with { Device = device, Threads = threads } };
        ProcessGroup group;
        try
        {
            group = ProcessGroup.Join(device, env.MasterAddress, env.MasterPort, env.Rank, env.WorldSize, env.Timeout);
        }
        catch (TorchException e)
        {
            return Fail(channel, e.Kind == TorchErrorKind.Argument ? RankOutcome.InvalidInput : RankOutcome.Failed, "rendezvous_failed", e.Message);
        }

        using (group)
        {
            channel.Send(new RankEvent { Event = "joined", Pid = Environment.ProcessId, WorldSize = env.WorldSize });
            DataSplits data;
            try
            {
                data = loadData();
            }
            catch (Exception e) when (e is Core.Failures.JobInputException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return Fail(channel, RankOutcome.InvalidInput, "invalid_data", e.Message);
            }

            var rankZero = env.Rank == 0;
            var store = new DirectoryCheckpointStore(spec.Checkpointing.Directory ?? run.CheckpointDirectory);
            try
            {
                Checkpoint? from = null;
                string? nothingToResume = null;
                if (resume && rankZero)
                {
                    from = await store.ReadNewestGoodAsync(e => Console.Error.WriteLine($"rank 0: skipping {e.Message}"), cancellationToken).ConfigureAwait(false);
                    // A restart before the first checkpoint starts over; a user's --resume with nothing to resume is an error.
                    if (from is null && env.Restart == 0) nothingToResume = $"--resume: no good checkpoint in {store.Location}";
                }

                var verdict = group.Broadcast(rankZero && nothingToResume is not null ? System.Text.Encoding.UTF8.GetBytes(nothingToResume) : []);
                if (verdict.Length > 0) return Fail(channel, RankOutcome.InvalidInput, "nothing_to_resume", System.Text.Encoding.UTF8.GetString(verdict));
                if (resume) from = CheckpointBroadcast.Share(group, from);

                await using IMetricsSink sink = rankZero ? new JsonlMetricsSink(run.MetricsFile) : new NullMetricsSink();
                var trainer = new Trainer(spec, data, store, sink, channel, modelLocations, new DataParallel(group));
                var result = await trainer.RunAsync(cancellationToken, from).ConfigureAwait(false);
                string? report = null;
                if (rankZero)
                {
                    run.WriteResults(spec, result);
                    report = run.ReportFile;
                }

                var reason = result.StopReason.ToString().ToLowerInvariant();
                var (syncTime, syncSteps, _) = group.SyncStats;
                channel.Send(new RankEvent
                {
                    Event = "done", StopReason = reason, Report = report,
                    Seconds = result.Duration.TotalSeconds, SyncSeconds = syncTime.TotalSeconds, SyncSteps = syncSteps,
                });
                return result.StopReason == StopReason.Cancelled ? RankOutcome.Cancelled : RankOutcome.Completed;
            }
            catch (CorruptCheckpointException e)
            {
                return Fail(channel, RankOutcome.InvalidInput, "bad_checkpoint", e.Message);
            }
            catch (TorchException e) when (e.Kind == TorchErrorKind.Argument)
            {
                return Fail(channel, RankOutcome.InvalidInput, "invalid_model", e.Message);
            }
            catch (TorchException e)
            {
                return Fail(channel, RankOutcome.Failed, "training_failed", e.Message);
            }
        }
    }

    public static RankOutcome Fail(RankChannel channel, RankOutcome outcome, string kind, string message)
    {
        channel.Send(new RankEvent { Event = "failed", Error = kind, Message = message });
        return outcome;
    }
}
