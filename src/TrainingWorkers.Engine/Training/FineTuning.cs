using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Data;
using TrainingWorkers.Engine.Models;

namespace TrainingWorkers.Engine.Training;

/// <summary>Applies a spec's fine_tune section: pretrained weights, which parts are frozen in which epoch.</summary>
internal static class FineTuning
{
    /// <summary>Loads the pretrained weights (only the backbone when the head is replaced).</summary>
    public static async Task LoadPretrainedAsync(Model model, FineTuneSpec fineTune, CancellationToken cancellationToken)
    {
        if (fineTune.From is not { } from) return;
        // Back on the training thread (the caller's context) for the libtorch call.
        var (state, file) = await ReadStateAsync(from, cancellationToken).ConfigureAwait(true);
        try
        {
            model.LoadState(state, fineTune.ReplaceHead ? "backbone" : null);
        }
        catch (Native.TorchException e) when (e.FailureKind is FailureKind.InvalidInput or FailureKind.Crashed)
        {
            var hint = e.Kind == Native.TorchErrorKind.Argument && !fineTune.ReplaceHead ? " (set replace_head for data with other classes)" : "";
            throw new JobInputException("fine_tune.from", $"does not hold weights for this model: {e.NativeMessage.Split('\n', 2)[0].Trim()}{hint}", file, e);
        }
    }

    /// <summary>Freezes the spec's parts while <paramref name="epoch"/> (0-based) is before unfreeze_after_epochs, unfreezes them after.</summary>
    public static void ApplyFreezing(Model model, FineTuneSpec? fineTune, int epoch)
    {
        if (fineTune is null || fineTune.Freeze.Count == 0) return;
        var frozen = fineTune.UnfreezeAfterEpochs is not { } after || epoch < after;
        for (var i = 0; i < fineTune.Freeze.Count; i++)
        {
            if (model.SetTrainable(fineTune.Freeze[i], trainable: !frozen) == 0)
            {
                throw new JobInputException($"fine_tune.freeze[{i}]", $"'{FailureText.Bound(fineTune.Freeze[i], FailureText.MaxName)}' matches no parameter of the model (parts: backbone, head; or a glob such as backbone.0.*)");
            }
        }
    }

    /// <summary>
    /// A run directory's or checkpoint directory's model.pt (a checkpoint's verified against its manifest), or a state
    /// file; on a worker only from where its data may be read (<c>TW_DATA_ALLOW</c>), checked before the disk is.
    /// </summary>
    private static async Task<(byte[] State, string File)> ReadStateAsync(string from, CancellationToken cancellationToken)
    {
        DataLocationPolicy.FromEnvironment().Check(from, "fine_tune.from");
        if (File.Exists(Path.Combine(from, DirectoryCheckpointStore.ManifestName)))
        {
            var dir = new DirectoryInfo(from);
            try
            {
                var checkpoint = await new DirectoryCheckpointStore(dir.Parent!.FullName).ReadAsync(dir.Name, cancellationToken).ConfigureAwait(false);
                return checkpoint.Files.TryGetValue(Trainer.ModelFile, out var weights) ? (weights, from)
                    : throw new JobInputException("fine_tune.from", $"the checkpoint has no {Trainer.ModelFile}", from);
            }
            catch (CorruptCheckpointException e)
            {
                throw new JobInputException("fine_tune.from", $"is not a good checkpoint: {e.Reason}", from, e);
            }
        }

        var file = Directory.Exists(from) ? Path.Combine(from, Trainer.ModelFile) : from;
        if (!File.Exists(file)) throw new JobInputException("fine_tune.from", "is not a run directory, a checkpoint directory or a model.pt file", from);
        return (await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false), file);
    }
}
