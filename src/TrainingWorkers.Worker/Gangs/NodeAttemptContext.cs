using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>What a gang's node other than 0 needs for its part of an attempt: the job, its slot, the gang and its node rank, and how it is stopped.</summary>
internal sealed record NodeAttemptContext(string JobId, JobSpec Spec, string SpecJson, JobSlot Slot, Gang Gang, int Node, JobStop Stop);
