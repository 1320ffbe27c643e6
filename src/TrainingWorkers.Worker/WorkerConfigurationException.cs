using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Worker;

/// <summary>
/// The worker's own setup is wrong in a way its start-up check could not see (no <c>tw</c> to start ranks with):
/// fatal, so a job that meets it is given back untouched and the worker stops with exit code 3, instead of the job
/// failing for something that is not its fault.
/// </summary>
internal sealed class WorkerConfigurationException(string message) : Exception(message), IKnowsFailureKind
{
    public FailureKind FailureKind => FailureKind.Fatal;
}
