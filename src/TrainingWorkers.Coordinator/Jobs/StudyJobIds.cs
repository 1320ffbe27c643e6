using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator.Jobs;

/// <summary>The deterministic ids of a study's jobs: <c>{study}-{step}</c> (<c>-gradual-head</c>, <c>-t007</c>), so a step repeated by another coordinator names the same job.</summary>
internal static class StudyJobIds
{
    public static string For(string studyId, string step) => StudyJob.JobIdFor(studyId, step, 0);

    public static string Trial(string studyId, int number) => For(studyId, $"t{number:D3}");
}
