namespace TrainingWorkers.Aws;

/// <summary>Which program makes an AWS call, and so which principal needs the permission.</summary>
[Flags]
public enum AwsCaller
{
    /// <summary>Only tests, benchmarks and tools call it: no deployed principal is granted it.</summary>
    None = 0,
    /// <summary><c>tw-worker</c> on the fleet's instances: the instance role.</summary>
    Worker = 1,
    /// <summary>A user's <c>tw submit</c>, <c>status</c>, <c>list</c>, <c>cancel</c>, <c>wait</c>, <c>logs</c>: the submitters' policy.</summary>
    Submitter = 2,
    /// <summary><c>tw env create</c>, which makes a fleet's resources without the deploy stack.</summary>
    Operator = 4,
    /// <summary><c>tw-coordinator</c>: studies in the table, their jobs on the queue, checkpoint manifests read, reports written.</summary>
    Coordinator = 8,
}
