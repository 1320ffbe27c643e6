namespace TrainingWorkers.Aws;

/// <summary>
/// One AWS API operation the code calls: the service's IAM prefix, the operation's name, the IAM actions it
/// needs, the resources it acts on, and who calls it.
/// </summary>
public sealed record AwsOperation(string Service, string Operation, IReadOnlyList<string> Actions, IReadOnlyList<FleetResource> Resources, AwsCaller Callers);
