using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Aws.S3;
using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>
/// A gang's node other than 0 on this worker: a fresh workspace, the spec's S3 inputs fetched through the dataset
/// cache, and this node's ranks started with torchrun's variables against node 0's address and port. Rank 0 (on node
/// 0) reads and broadcasts the checkpoint, publishes metrics and writes the checkpoints and results, so this node
/// uploads nothing; its ranks' output goes to the worker's log.
/// </summary>
internal sealed class NodeAttempt(S3DatasetCache cache, RankLaunch launch, IOptions<WorkerOptions> options, ILogger<NodeAttempt> logger) : INodeAttemptRunner
{
    public async Task<AttemptEnd> RunAsync(NodeAttemptContext node)
    {
        var stop = node.Stop;
        try
        {
            var workspace = Path.Combine(options.Value.WorkDirectory, node.JobId);
            if (Directory.Exists(workspace)) Directory.Delete(workspace, recursive: true);
            var run = new RunDirectory(Path.Combine(workspace, "run"));
            var specFile = Path.Combine(workspace, "spec.json");
            await SpecLocalizer.WriteAsync(node.SpecJson, node.Spec, cache, specFile, stop.Token).ConfigureAwait(false);
            var launchOptions = launch.OptionsFor(node.Slot, specFile, run.Path, node.Gang.Resume, node.Gang, node.Node);
            var result = await new Launcher(launchOptions, new Observer(node.JobId, logger)).RunAsync(stop.Token).ConfigureAwait(false);
            return new AttemptEnd { Launch = result };
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            return new AttemptEnd();
        }
        catch (Exception e)
        {
            return new AttemptEnd { Error = e };
        }
    }

    // This node's ranks report nothing the job store keeps (rank 0 does): their lines go to the worker's log.
    private sealed class Observer(string jobId, ILogger logger) : ILaunchObserver
    {
        public void RankEvent(RankEvent e)
        {
        }

        public void RankLog(int rank, string line) => Log.RankLog(logger, jobId, rank, line);

        public void GroupStopped(int attempt, RankFailure failure, bool restarting) => Log.RankGroupStopped(logger, jobId, attempt, failure.ToString(), restarting);
    }
}
