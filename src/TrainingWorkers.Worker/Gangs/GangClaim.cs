using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>A gang's claim: the job's lease and the gang when every node was reserved, else the message's outcome (waiting, given back, a duplicate).</summary>
internal sealed record GangClaim(JobLease? Lease, Gang? Gang, string? Outcome);
