using System.Text.Json.Nodes;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator;

/// <summary>
/// Drives one kind of study (<see cref="Core.Studies.StudyKinds"/>). A step observes the study's jobs and decides what
/// comes next by changing the state (new jobs not yet submitted, jobs to cancel); the <see cref="StudyRunner"/> saves the
/// state before it carries the decisions out, so that a coordinator taking the study over finds them and does them once.
/// </summary>
internal interface IStudyDriver
{
    string Kind { get; }

    /// <summary>One step: observe, decide. Returns how the study ended, or null while it goes on. Makes no job calls but reads.</summary>
    Task<StudyEnd?> StepAsync(StudyContext context, CancellationToken cancellationToken);

    /// <summary>The job spec of one of the study's jobs, as its state describes it (deterministic: the same state gives the same spec).</summary>
    JsonObject SpecFor(StudyContext context, StudyJob job);
}
