namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// A job submitted at <paramref name="At"/> that needs <paramref name="Work"/> seconds of training on
/// <paramref name="Nodes"/> instances (1 today; multi-node gang jobs will ask for more).
/// </summary>
internal sealed record JobArrival(int At, int Work, int Nodes = 1);
