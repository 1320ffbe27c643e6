namespace TrainingWorkers.Core.Spec;

/// <summary>
/// What a job needs of the fleet: how many instances (nodes) train it together, and how many GPUs of each. A job of
/// more than one node is gang-scheduled: every node is reserved at once or none is (docs/multi-node.md).
/// </summary>
public sealed record ResourcesSpec
{
    /// <summary>The most nodes a spec may ask for; the fleet's own maximum (<c>Worker:MaxNodes</c>) is usually lower.</summary>
    public const int MaxNodes = 64;

    /// <summary>The most GPUs per node a spec may ask for.</summary>
    public const int MaxGpusPerNode = 64;

    /// <summary>Instances that train the job together, one rank group spread over all of them; 1 by default.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Ranks (one per GPU) on each node; null: all of the GPUs of the node's job slot. Ignored on a node without GPUs.</summary>
    public int? GpusPerNode { get; init; }

    /// <summary>Whether the job needs several instances (a gang).</summary>
    public bool MultiNode => Nodes > 1;
}
