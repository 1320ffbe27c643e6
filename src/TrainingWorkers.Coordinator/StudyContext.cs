using Microsoft.Extensions.Logging;
using TrainingWorkers.Coordinator.Jobs;
using TrainingWorkers.Core.Studies;
using TrainingWorkers.Core.Studies.Requests;
using TrainingWorkers.Core.Studies.State;

namespace TrainingWorkers.Coordinator;

/// <summary>One step of one study: its record and request, the state being changed, the lease every write carries, and the ports.</summary>
internal sealed class StudyContext(StudyRecord study, StudyRequest request, StudyState state, StudyLease lease, StudyJobs jobs, IStudyFiles files,
    IStudyStore studies, TimeProvider time, ILogger logger)
{
    public StudyRecord Study { get; } = study;
    public StudyRequest Request { get; } = request;
    public StudyState State { get; } = state;
    public StudyLease Lease { get; } = lease;
    public StudyJobs Jobs { get; } = jobs;
    public IStudyFiles Files { get; } = files;
    public IStudyStore Studies { get; } = studies;
    public TimeProvider Time { get; } = time;
    public ILogger Logger { get; } = logger;

    public string StudyId => Study.StudyId;

    /// <summary>Every job of the study: the pipeline stages (a sweep's stages before its swept one included) and the trials.</summary>
    public IEnumerable<StudyJob> AllJobs => State.Branches.SelectMany(b => b.Stages).Cast<StudyJob>().Concat(State.Trials);

    /// <summary>Writes the state under the lease; throws <see cref="StudyLeaseLostException"/> when another coordinator took the study.</summary>
    public Task SaveAsync(CancellationToken cancellationToken) => Studies.SaveStateAsync(Lease, StudyJson.Write(State), cancellationToken);
}
