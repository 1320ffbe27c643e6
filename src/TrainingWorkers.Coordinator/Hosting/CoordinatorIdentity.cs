namespace TrainingWorkers.Coordinator.Hosting;

/// <summary>This coordinator's name in leases and history: the configured one, else host name and process id.</summary>
internal sealed record CoordinatorIdentity(string Id)
{
    public static CoordinatorIdentity From(string? configured) =>
        new(configured is { Length: > 0 } id ? id : $"coordinator-{Environment.MachineName}-{Environment.ProcessId}");
}
