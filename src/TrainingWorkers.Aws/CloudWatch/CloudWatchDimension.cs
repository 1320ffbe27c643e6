namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>A metric dimension as the CloudWatch JSON protocol writes it.</summary>
internal sealed record CloudWatchDimension(string Name, string Value);
