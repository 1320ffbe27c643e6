namespace TrainingWorkers.Core.Failures;

/// <summary>
/// An exception of an outer layer (libtorch through the engine, AWS) that knows which <see cref="FailureKind"/>
/// it is, so that <see cref="JobFailure.From"/> can sort it without knowing the layer.
/// </summary>
public interface IKnowsFailureKind
{
    FailureKind FailureKind { get; }
}
