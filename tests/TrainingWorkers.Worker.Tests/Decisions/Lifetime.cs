using Microsoft.Extensions.Hosting;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>A host lifetime that records whether the worker asked to stop.</summary>
internal sealed class Lifetime : IHostApplicationLifetime
{
    public bool Stopped { get; private set; }
    public CancellationToken ApplicationStarted => CancellationToken.None;
    public CancellationToken ApplicationStopping => CancellationToken.None;
    public CancellationToken ApplicationStopped => CancellationToken.None;
    public void StopApplication() => Stopped = true;
}
