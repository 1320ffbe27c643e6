using TrainingWorkers.Core.Checkpoints;

namespace TrainingWorkers.Coordinator.Pipelines;

/// <summary>
/// The checkpoint a stage's successor starts from: of the stage's durable checkpoints, the one whose manifest has the best
/// value of the monitored metric (ties go to the older one) — not the newest. Retention keeps it: the stage early-stops on
/// that metric, and the best checkpoint is kept whatever its age.
/// </summary>
internal static class BestCheckpoint
{
    public static async Task<CheckpointManifest?> ChooseAsync(ICheckpointStore checkpoints, string monitor, bool higherIsBetter, CancellationToken cancellationToken)
    {
        var manifests = await checkpoints.ListAsync(cancellationToken).ConfigureAwait(false);
        var best = CheckpointPruning.BestId(manifests, monitor, lowerIsBetter: !higherIsBetter);
        return manifests.FirstOrDefault(m => m.Id == best);
    }
}
