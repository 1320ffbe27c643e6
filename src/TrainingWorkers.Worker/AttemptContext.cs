using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker;

/// <summary>What one claimed attempt needs: the job, where it runs, the lease it holds and how it is stopped; for a multi-node job, its gang (this worker is node 0).</summary>
internal sealed record AttemptContext(string JobId, JobSpec Spec, string SpecJson, JobSlot Slot, DateTimeOffset SentAt, Func<JobLease> Lease, JobStop Stop, Gang? Gang = null);
