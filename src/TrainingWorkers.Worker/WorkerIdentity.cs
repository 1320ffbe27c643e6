using System.Globalization;

namespace TrainingWorkers.Worker;

/// <summary>Who this worker is: its id in leases, and the instance type for metric dimensions.</summary>
internal sealed record WorkerIdentity(string WorkerId, string? InstanceId, string? InstanceType)
{
    public static WorkerIdentity Local(string? configured) =>
        new(configured is { Length: > 0 } ? configured : $"{Environment.MachineName}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}", null, null);
}
