using TrainingWorkers.Engine.Training;

namespace TrainingWorkers.Engine.Tests;

/// <summary>Cancels a training run at a given epoch and step, as Ctrl-C there would.</summary>
internal sealed class CancelAtStep(CancellationTokenSource cancel, int epoch, int step) : ITrainingObserver
{
    public void EpochStarted(int e, int epochs, int steps) { }

    public void StepCompleted(int e, int s, int steps, double loss)
    {
        if (e == epoch && s == step) cancel.Cancel();
    }

    public void EpochCompleted(EpochSummary summary) { }

    public void CheckpointWritten(string id, string location) { }
}
