using System.Globalization;

namespace TrainingWorkers.Worker;

/// <summary>Who this worker is: its id in leases, the instance type for metric dimensions, and the address the nodes of a gang reach it at.</summary>
internal sealed record WorkerIdentity(string WorkerId, string? InstanceId, string? InstanceType, string Address = "127.0.0.1")
{
    public static WorkerIdentity Local(string? configured) =>
        new(configured is { Length: > 0 } ? configured : $"{Environment.MachineName}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}", null, null);
}
