using TrainingWorkers.Core.Studies.Requests;

namespace TrainingWorkers.Coordinator.Pipelines;

/// <summary>Approaches as requests and states spell them (snake_case).</summary>
internal static class ApproachNames
{
    public static string Of(FineTuneApproach approach) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(approach.ToString());
}
