using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Core.Gangs;

/// <summary>What stopped a gang from forming: whose condition failed in the one transaction.</summary>
public enum GangConflict
{
    None,
    /// <summary>The job was claimed or finished by someone else: the message is a duplicate or held elsewhere.</summary>
    JobTaken,
    /// <summary>Node 0's own slot went to another gang first: it serves that one.</summary>
    LeaderTaken,
    /// <summary>A chosen worker went stale, drained or was taken since it was read: choose again.</summary>
    PeerTaken,
}

/// <summary>The answer to a gang's claim: the lease and the gang when every node was reserved, else why none was.</summary>
public sealed record GangFormation(JobLease? Lease, Gang? Gang, GangConflict Conflict)
{
    public bool Formed => Lease is not null;

    public static GangFormation Refused(GangConflict conflict) => new(null, null, conflict);
}
