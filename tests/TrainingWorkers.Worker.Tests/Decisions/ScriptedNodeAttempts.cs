using TrainingWorkers.Engine.Distributed;
using TrainingWorkers.Worker.Gangs;

namespace TrainingWorkers.Worker.Tests.Decisions;

/// <summary>A gang node's attempt that returns what the test scripts, after its gate opens or its stop comes.</summary>
internal sealed class ScriptedNodeAttempts : INodeAttemptRunner
{
    public Func<NodeAttemptContext, AttemptEnd> Next { get; set; } = _ => new AttemptEnd { Launch = new LaunchResult { Succeeded = true } };

    public TaskCompletionSource? Gate { get; set; }

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<NodeAttemptContext> Contexts { get; } = [];

    public async Task<AttemptEnd> RunAsync(NodeAttemptContext context)
    {
        Contexts.Add(context);
        Started.TrySetResult();
        if (Gate is { } gate) await Task.WhenAny(gate.Task, Task.Delay(Timeout.Infinite, context.Stop.Token)).ConfigureAwait(false);
        return context.Stop.Token.IsCancellationRequested ? new AttemptEnd { Launch = new LaunchResult { Succeeded = false, Cancelled = true } } : Next(context);
    }
}
