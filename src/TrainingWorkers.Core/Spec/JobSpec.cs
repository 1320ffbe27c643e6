namespace TrainingWorkers.Core.Spec;

/// <summary>
/// A training job as the user wrote it (version 1). Build one with <see cref="JobSpecParser"/>:
/// every field has a default that works, and unknown fields are rejected.
/// </summary>
public sealed record JobSpec
{
    /// <summary>The only version this build reads.</summary>
    public const string ApiVersionV1 = "trainingworkers/v1";

    public string ApiVersion { get; init; } = ApiVersionV1;
    /// <summary>A name for people and for metric dimensions: letters, digits, '-', '_' and '.'.</summary>
    public required string Name { get; init; }
    public ModelSpec Model { get; init; } = new();
    public required DataSpec Data { get; init; }
    public TrainingSpec Training { get; init; } = new();
    /// <summary>Null when early stopping is off.</summary>
    public EarlyStoppingSpec? EarlyStopping { get; init; } = new();
    public CheckpointSpec Checkpointing { get; init; } = new();
    /// <summary>Transfer learning: start from pretrained weights, freeze parts, a new head. Null: train from scratch.</summary>
    public FineTuneSpec? FineTune { get; init; }
    /// <summary>The nodes and GPUs the job needs; one node with all of its GPUs by default.</summary>
    public ResourcesSpec Resources { get; init; } = new();

    /// <summary>The same spec with relative file paths (data, model.path, fine_tune.from) taken from <paramref name="directory"/>.</summary>
    public JobSpec RelativeTo(string directory)
    {
        return this with
        {
            Data = Data.RelativeTo(directory),
            Model = Model with { Path = ResolvePath(directory, Model.Path) },
            FineTune = FineTune is null ? null : FineTune with { From = ResolvePath(directory, FineTune.From) },
        };
    }

    /// <summary>A relative <paramref name="path"/> taken from <paramref name="directory"/>; null and absolute paths as they are.</summary>
    internal static string? ResolvePath(string directory, string? path) =>
        path is null || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(directory, path));
}
