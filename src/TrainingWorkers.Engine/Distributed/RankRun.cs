using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;
using TrainingWorkers.Engine.Native;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>
/// One rank of a data-parallel run: joins the group, resumes from rank 0's checkpoint when asked,
/// trains, and reports on the channel. Rank 0 writes checkpoints, metrics and the run's results.
/// Every failure is reported on the channel before the rank exits with its exit code.
/// </summary>
public static class RankRun
{
    /// <param name="loadData">Runs after the rendezvous, so a bad address or port fails before the slow part.</param>
    /// <returns>The rank's exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(RankEnvironment env, JobSpec spec, Func<DataSplits> loadData, RunDirectory run, bool resume,
        RankChannel channel, ModelLocationPolicy modelLocations, CancellationToken cancellationToken)
    {
        try
        {
            return await TrainAsync(env, spec, loadData, run, resume, channel, modelLocations, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return channel.Failed(FailureAdvice.For(JobFailure.From(e), spec));
        }
    }

    private static async Task<int> TrainAsync(RankEnvironment env, JobSpec spec, Func<DataSplits> loadData, RunDirectory run, bool resume,
        RankChannel channel, ModelLocationPolicy modelLocations, CancellationToken cancellationToken)
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
            throw new JobInputException("LOCAL_RANK", $"rank {env.LocalRank} of this node needs {device}, but this machine has {Torch.CudaDeviceCount} GPU(s): start at most that many ranks per node");
        }

        spec = spec with { Training = spec.Training with { Device = device, Threads = threads } };
        ProcessGroup group;
        try
        {
            group = ProcessGroup.Join(device, env.MasterAddress, env.MasterPort, env.Rank, env.WorldSize, env.Timeout);
        }
        catch (TorchException e)
        {
            // The address, port or network of this launch, not the job: another attempt may pass.
            return channel.Failed(JobFailure.Of(FailureKind.Crashed, "rendezvous failed: " + e.Message));
        }

        using (group)
        {
            channel.Send(new RankEvent { Event = RankEventKind.Joined, Pid = Environment.ProcessId, WorldSize = env.WorldSize });
            var data = loadData();
            var rankZero = env.Rank == 0;
            var store = new DirectoryCheckpointStore(spec.Checkpointing.Directory ?? run.CheckpointDirectory);
            Checkpoint? from = null;
            string? nothingToResume = null;
            if (resume && rankZero)
            {
                from = await store.ReadNewestGoodAsync(e => Console.Error.WriteLine($"rank 0: skipping {e.Message}"), cancellationToken).ConfigureAwait(false);
                // A restart before the first checkpoint starts over; a user's --resume with nothing to resume is an error.
                if (from is null && env.Restart == 0) nothingToResume = $"no good checkpoint in {store.Location}";
            }

            var verdict = group.Broadcast(rankZero && nothingToResume is not null ? System.Text.Encoding.UTF8.GetBytes(nothingToResume) : []);
            if (verdict.Length > 0) throw new JobInputException("--resume", System.Text.Encoding.UTF8.GetString(verdict));
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

            var (syncTime, syncSteps, _) = group.SyncStats;
            channel.Send(new RankEvent
            {
                Event = RankEventKind.Done, StopReason = result.StopReason, Report = report,
                Seconds = result.Duration.TotalSeconds, SyncSeconds = syncTime.TotalSeconds, SyncSteps = syncSteps,
            });
            return result.StopReason == StopReason.Cancelled ? ExitCodes.Cancelled : ExitCodes.Success;
        }
    }
}
