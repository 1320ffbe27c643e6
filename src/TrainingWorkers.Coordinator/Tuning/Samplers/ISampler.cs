using System.Text.Json.Nodes;

namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>Chooses a trial's parameters (by spec path), given what the earlier trials gave.</summary>
internal interface ISampler
{
    /// <param name="number">The trial's number: with the seed, it fixes the trial's random draws.</param>
    /// <param name="history">Finished trials (completed and stopped early), warm-start ones included.</param>
    JsonObject Sample(int number, IReadOnlyList<Observation> history);
}
