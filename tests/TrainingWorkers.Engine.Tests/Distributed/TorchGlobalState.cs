namespace TrainingWorkers.Engine.Tests.Distributed;

/// <summary>
/// Tests that seed libtorch's generator, create models or set its thread count run alone: that state is
/// process-wide, and changing it under another test breaks that test's bit-exact comparisons.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalState
{
    public const string Name = "libtorch global state";
}
