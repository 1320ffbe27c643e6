using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>Why a gang must stop: the stop's cause, a reason for the job's record, and a lost node's own failure when it said one.</summary>
internal sealed record GangTrouble(StopCause Cause, string Reason, JobFailure? Failure = null);
