using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Engine.Tests.Distributed;

/// <summary>A test of Gloo (CPU) groups; skipped, with the reason, where the shim was built without Gloo.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GlooFactAttribute : FactAttribute
{
    public GlooFactAttribute()
    {
        if (!ProcessGroup.HasBackend("gloo")) Skip = "this shim was built without Gloo (PyTorch's wheels ship no Gloo headers; Debian's libtorch + libgloo-dev has it)";
    }
}
