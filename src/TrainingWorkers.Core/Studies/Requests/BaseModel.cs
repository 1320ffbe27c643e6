namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>
/// The pretrained model a pipeline starts from: exactly one of a finished job (its final model), an <c>s3://</c>
/// URI of weights (a run directory, a checkpoint directory or a model.pt), or an <c>s3://</c> TorchScript model.
/// </summary>
public sealed record BaseModel
{
    public string? Job { get; init; }
    public string? Uri { get; init; }
    public string? TorchScript { get; init; }
}
