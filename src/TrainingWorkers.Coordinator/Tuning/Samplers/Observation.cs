using System.Text.Json.Nodes;

namespace TrainingWorkers.Coordinator.Tuning.Samplers;

/// <summary>
/// A finished trial as a sampler learns from it: its parameters and value. A completed trial's value is its objective;
/// a stopped one's is its last epoch's value, and it ranks after every completed trial (as Optuna's TPE ranks pruned trials).
/// </summary>
internal sealed record Observation(JsonObject Params, double Value, bool Completed, int LastEpoch);
