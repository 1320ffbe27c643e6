namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// A job submitted at <paramref name="At"/> that needs <paramref name="Work"/> seconds of training on
/// <paramref name="Nodes"/> instances at once (a multi-node job: a gang).
/// </summary>
internal sealed record JobArrival(int At, int Work, int Nodes = 1);
