namespace TrainingWorkers.Aws;

/// <summary>The response of an operation that returns nothing.</summary>
internal sealed record EmptyResponse;
